package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultsTest {
    private ArmEmulator arm;
    private ArmHttp http;
    private SeededCluster cluster;

    @BeforeEach
    void start() {
        arm = ArmEmulator.start();
        http = new ArmHttp(arm, Principal.GUARD);
        cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    private List<Integer> statuses() {
        return arm.requests().stream().map(RecordedRequest::status).toList();
    }

    @Test
    void answersWithTheFaultAsManyTimesAsAskedThenHeals() {
        arm.inject(Fault.on("GET", "/subnets/").respond(429, "RetryableError", "Retry later.").retryAfter(3).times(2));

        ArmHttp.Response first = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API);
        http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API);
        http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API);

        assertEquals("RetryableError", first.errorCode());
        assertEquals("3", first.header("Retry-After"));
        assertEquals(List.of(429, 429, 200), statuses());
    }

    @Test
    void matchesMethodAndPathCaseInsensitively() {
        arm.inject(Fault.anotherOperationInProgress("put", "/SUBNETS/snet-aks-nodes$"));

        http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API);
        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API,
                http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body());

        assertEquals(409, put.status());
        assertEquals("AnotherOperationInProgress", put.errorCode());
    }

    @Test
    void aLockedVnetCanAnswerAsNetworkRpDoesWith429RetryableErrorDueToAnotherOperation() {
        arm.inject(Fault.retryableErrorDueToAnotherOperation("PUT", "/subnets/snet-aks-nodes$").retryAfter(3));

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API,
                http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body());

        assertEquals(429, put.status());
        assertEquals("RetryableErrorDueToAnotherOperation", put.errorCode());
        assertEquals("3", put.header("Retry-After"));
    }

    @Test
    void aPredicateCanSelectRequests() {
        arm.inject(Fault.on("*", path -> path.endsWith("/agentPools")).respond(503, "ServiceUnavailable", "Busy.").always());

        http.get(cluster.clusterId() + "/agentPools?" + ArmHttp.API);
        http.get(cluster.clusterId() + "/agentPools?" + ArmHttp.API);
        arm.clearFaults();
        http.get(cluster.clusterId() + "/agentPools?" + ArmHttp.API);

        assertEquals(List.of(503, 503, 200), statuses());
    }

    @Test
    void aDelayOnlyFaultAnswersNormallyAfterTheDelay() throws Exception {
        // Held: a delay far longer than the client waits (no timing is asserted; a delay the emulator ignored would answer)
        arm.inject(Fault.on("GET", "/virtualNetworks/").delay(Duration.ofMinutes(1)));
        java.net.http.HttpRequest held = java.net.http.HttpRequest.newBuilder(arm.endpoint().resolve(cluster.virtualNetworkId()
                        + "?" + ArmHttp.API)).header("Authorization", "Bearer " + arm.issueToken(Principal.GUARD))
                .timeout(Duration.ofMillis(300)).build();
        assertThrows(java.net.http.HttpTimeoutException.class, () -> java.net.http.HttpClient.newBuilder()
                .sslContext(arm.clientSslContext()).build().send(held, java.net.http.HttpResponse.BodyHandlers.ofString()));

        // Then answered normally
        arm.inject(Fault.on("GET", "/virtualNetworks/").delay(Duration.ofMillis(50)));
        ArmHttp.Response r = http.get(cluster.virtualNetworkId() + "?" + ArmHttp.API);
        assertEquals(200, r.status());
        assertEquals(cluster.virtualNetworkId(), r.body().get("id").getAsString());
    }

    @Test
    void throttlingLooksLikeArms() {
        arm.inject(Fault.throttled("PUT", "/subnets/", 7));

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, new com.google.gson.JsonObject());

        assertEquals(429, put.status());
        assertEquals("TooManyRequests", put.errorCode());
        assertEquals("7", put.header("Retry-After"));
    }

    @Test
    void aRawAnswerIsServedExactlyAsGivenAndReadsNothing() throws Exception {
        arm.inject(Fault.on("GET", "/subnets/").respondRaw(200, "{\"value\": null}"));
        arm.inject(Fault.on("GET", "/subnets/").respondRaw(200, "null").retryAfter(4));
        arm.inject(Fault.on("GET", "/subnets/").respondRaw(200, ""));
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        arm.endpoint().resolve(cluster.nodeSubnetId() + "?" + ArmHttp.API))
                .header("Authorization", "Bearer " + arm.issueToken(Principal.GUARD)).build();

        java.net.http.HttpResponse<String> first = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        java.net.http.HttpResponse<String> second = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        java.net.http.HttpResponse<String> third = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());

        assertEquals("{\"value\": null}", first.body());
        assertEquals("null", second.body());
        assertEquals("4", second.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("", third.body());
        arm.inject(Fault.on("PUT", "/subnets/").respondRaw(201, "{}").header("Azure-AsyncOperation", "https://elsewhere.example/op"));
        assertEquals("https://elsewhere.example/op", http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, new JsonObject())
                .header("Azure-AsyncOperation"));
        assertEquals(List.of(200, 200, 200, 201), statuses());
        assertEquals(200, http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).status(), "healed");
        assertThrows(IllegalArgumentException.class, () -> Fault.on("GET", "/x").respondRaw(199, ""));
    }

    @Test
    void aPageCanPointItsNextLinkAtItself() {
        arm.inject(Fault.on("GET", "/virtualNetworks$").nextLinkToItself().always());
        String list = "/subscriptions/" + Fixtures.SUBSCRIPTION_ID + "/providers/Microsoft.Network/virtualNetworks?" + ArmHttp.API;

        ArmHttp.Response page = http.get(list);
        ArmHttp.Response again = http.getUrl(page.body().get("nextLink").getAsString());

        assertEquals(1, page.body().getAsJsonArray("value").size(), "the page itself is served normally");
        assertEquals(arm.endpoint() + list.substring(1), page.body().get("nextLink").getAsString());
        assertEquals(page.body().get("nextLink"), again.body().get("nextLink"));
    }

    @Test
    void anOperationThatNeverEndsStaysInProgressUntilSettled() {
        arm.synchronousWrites(true);
        arm.inject(Fault.on("PUT", "/subnets/").neverEnds());
        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet);
        String operation = put.header("Azure-AsyncOperation");

        assertNotNull(operation, "long-running even with synchronous writes");
        for (int i = 0; i < 20; i++) {
            ArmHttp.Response poll = http.getUrl(operation);
            assertEquals("InProgress", poll.body().get("status").getAsString());
            assertEquals("1", poll.header("Retry-After"));
        }
        assertEquals(1, arm.settlePendingOperations());
        assertEquals("Succeeded", http.getUrl(operation).body().get("status").getAsString());
    }

    @Test
    void aFaultDescribesItself() {
        assertTrue(Fault.on("PUT", "/subnets/").neverEnds().toString().contains("never ends"));
        assertTrue(Fault.on("GET", "/x").nextLinkToItself().toString().contains("nextLink"));
        assertFalse(Fault.on("GET", "/x").respondRaw(200, "").toString().contains("delay"));
    }
}
