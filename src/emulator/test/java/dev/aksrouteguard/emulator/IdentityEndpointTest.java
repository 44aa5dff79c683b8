package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.TokenRequestContext;
import com.google.gson.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdentityEndpointTest {
    private static final String RESOURCE = "https://management.core.windows.net/";
    private static ArmEmulator arm;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        arm = ArmEmulator.start();
        http = HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
    }

    @AfterAll
    static void stop() {
        arm.close();
    }

    @BeforeEach
    void forget() {
        arm.clearRequests();
    }

    private static HttpResponse<String> token(String query, String header) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(arm.identityEndpoint() + "?" + query))
                .timeout(Duration.ofSeconds(10));
        if (header != null) {
            request.header("X-IDENTITY-HEADER", header);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> getResourceGroup(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(arm.endpoint().resolve(
                "/subscriptions/" + Fixtures.SUBSCRIPTION_ID + "/resourceGroups/rg-id?api-version=2024-03-01"))
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void issuesAnAppServiceStyleTokenForTheRightHeader() throws Exception {
        HttpResponse<String> response = token("api-version=2019-08-01&resource=" + RESOURCE, arm.identityHeader());

        assertEquals(200, response.statusCode());
        JsonObject body = Json.parseObject(response.body());
        assertEquals(RESOURCE, body.get("resource").getAsString());
        assertEquals("Bearer", body.get("token_type").getAsString());
        assertEquals(Principal.GUARD.appId(), body.get("client_id").getAsString());
        long expiresOn = Long.parseLong(body.get("expires_on").getAsString());
        assertTrue(expiresOn > Instant.now().plus(Duration.ofHours(23)).getEpochSecond());
        assertEquals(Principal.GUARD, Tokens.verify(body.get("access_token").getAsString(), Instant.now()).orElseThrow());
        assertEquals(200, arm.tokenRequests().get(0).status());
    }

    @Test
    void refusesAWrongOrMissingHeader() throws Exception {
        assertEquals(401, token("api-version=2019-08-01&resource=" + RESOURCE, "not-the-secret").statusCode());
        assertEquals(401, token("api-version=2019-08-01&resource=" + RESOURCE, null).statusCode());
        assertEquals(2, arm.tokenRequests().size());
        assertTrue(arm.requests().isEmpty(), "token requests are logged apart from ARM requests");
    }

    @Test
    void requiresTheAppServiceApiVersionAndAResource() throws Exception {
        assertEquals(400, token("api-version=2018-02-01&resource=" + RESOURCE, arm.identityHeader()).statusCode());
        assertEquals(400, token("api-version=2019-08-01", arm.identityHeader()).statusCode());
    }

    @Test
    void issuesAUserAssignedIdentityForAnotherClientId() throws Exception {
        HttpResponse<String> response = token("api-version=2019-08-01&resource=" + RESOURCE
                + "&client_id=11111111-2222-3333-4444-555555555555", arm.identityHeader());
        Principal principal = Tokens.verify(Json.parseObject(response.body()).get("access_token").getAsString(),
                Instant.now()).orElseThrow();
        assertEquals("11111111-2222-3333-4444-555555555555", principal.appId());
        assertEquals("11111111-2222-3333-4444-555555555555", arm.tokenRequests().get(0).clientId());
    }

    @Test
    void armAcceptsOnlyBearerTokensItIssued() throws Exception {
        arm.put("/subscriptions/" + Fixtures.SUBSCRIPTION_ID + "/resourceGroups/rg-id", new JsonObject());
        String token = Json.parseObject(token("api-version=2019-08-01&resource=" + RESOURCE, arm.identityHeader())
                .body()).get("access_token").getAsString();

        assertEquals(200, getResourceGroup("Bearer " + token).statusCode());
        assertEquals(200, getResourceGroup("Bearer " + arm.issueToken(Principal.user("ana@contoso.example", "Ana")))
                .statusCode());

        HttpResponse<String> missing = getResourceGroup(null);
        assertEquals(401, missing.statusCode());
        assertEquals("AuthenticationFailed", errorCode(missing));
        assertTrue(missing.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer "));
        HttpResponse<String> forged = getResourceGroup("Bearer " + token.substring(0, token.length() - 2) + "xx");
        assertEquals(401, forged.statusCode());
        assertEquals("InvalidAuthenticationToken", errorCode(forged));
        assertEquals(401, getResourceGroup("Basic dXNlcjpwYXNz").statusCode());
        assertNull(arm.requests().get(2).principal(), "unauthenticated requests are logged without a principal");
    }

    @Test
    void tokensExpire() {
        String expired = Tokens.issue(Principal.GUARD, Instant.now().minusSeconds(1));
        assertTrue(Tokens.verify(expired, Instant.now()).isEmpty());
    }

    private static String errorCode(HttpResponse<String> response) {
        return Json.parseObject(response.body()).getAsJsonObject("error").get("code").getAsString();
    }

    @Test
    void aTokenDelayHoldsTheEndpointAndTheInProcessCredential() throws Exception {
        arm.tokenDelay(Duration.ofHours(1));
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(arm.identityEndpoint() + "?api-version=2019-08-01&resource="
                    + RESOURCE)).header("X-IDENTITY-HEADER", arm.identityHeader()).timeout(Duration.ofMillis(300)).build();
            assertThrows(HttpTimeoutException.class, () -> http.send(request, HttpResponse.BodyHandlers.ofString()));
            TokenRequestContext scopes = new TokenRequestContext().addScopes(RESOURCE + "/.default");
            assertThrows(IllegalStateException.class,
                    () -> arm.credential(Principal.GUARD).getToken(scopes).block(Duration.ofMillis(300)),
                    "the in-process credential hangs too");
        } finally {
            arm.tokenDelay(Duration.ZERO);
        }
        assertEquals(200, token("api-version=2019-08-01&resource=" + RESOURCE, arm.identityHeader()).statusCode());
    }
}
