package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void aPredicateCanSelectRequests() {
        arm.inject(Fault.on("*", path -> path.endsWith("/agentPools")).respond(503, "ServiceUnavailable", "Busy.").always());

        http.get(cluster.clusterId() + "/agentPools?" + ArmHttp.API);
        http.get(cluster.clusterId() + "/agentPools?" + ArmHttp.API);
        arm.clearFaults();
        http.get(cluster.clusterId() + "/agentPools?" + ArmHttp.API);

        assertEquals(List.of(503, 503, 200), statuses());
    }

    @Test
    void aDelayOnlyFaultAnswersNormallyAfterTheDelay() {
        arm.inject(Fault.on("GET", "/virtualNetworks/").delay(Duration.ofMillis(50)));

        assertEquals(200, http.get(cluster.virtualNetworkId() + "?" + ArmHttp.API).status());
    }

    @Test
    void throttlingLooksLikeArms() {
        arm.inject(Fault.throttled("PUT", "/subnets/", 7));

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, new com.google.gson.JsonObject());

        assertEquals(429, put.status());
        assertEquals("TooManyRequests", put.errorCode());
        assertEquals("7", put.header("Retry-After"));
    }
}
