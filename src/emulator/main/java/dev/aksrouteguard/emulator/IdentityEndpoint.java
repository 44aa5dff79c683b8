package dev.aksrouteguard.emulator;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The App Service / Functions managed-identity endpoint ({@code IDENTITY_ENDPOINT}):
 * {@code GET ?api-version=2019-08-01&resource=<res>[&client_id=<id>]} with header
 * {@code X-IDENTITY-HEADER: <IDENTITY_HEADER>} answers a bearer token for ARM.
 */
final class IdentityEndpoint implements HttpHandler {
    static final String PATH = "/msi/token";
    static final Duration TOKEN_LIFETIME = Duration.ofHours(24);

    private final String secret;
    private final Principal managedIdentity;
    private final Clock clock;
    private final RequestLog log;
    private final Supplier<Duration> delay;

    IdentityEndpoint(String secret, Principal managedIdentity, Clock clock, RequestLog log, Supplier<Duration> delay) {
        this.secret = Objects.requireNonNull(secret, "secret == null");
        this.managedIdentity = Objects.requireNonNull(managedIdentity, "managedIdentity == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.log = Objects.requireNonNull(log, "log == null");
        this.delay = Objects.requireNonNull(delay, "delay == null");
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!waitForDelay()) {
                return; // the emulator is closing
            }
            Instant now = clock.instant();
            Map<String, String> query = Query.parse(exchange.getRequestURI().getRawQuery());
            String resource = Objects.requireNonNullElse(query.get("resource"), "");
            String clientId = query.get("client_id");
            int status;
            JsonObject body;
            if (!exchange.getRequestMethod().equals("GET")) {
                status = 405;
                body = error(405, "Only GET is supported.");
            } else if (!secret.equals(exchange.getRequestHeaders().getFirst("X-IDENTITY-HEADER"))) {
                status = 401;
                body = error(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
            } else if (!"2019-08-01".equals(query.get("api-version"))) {
                status = 400;
                body = error(400, "The api-version must be 2019-08-01.");
            } else if (resource.isBlank()) {
                status = 400;
                body = error(400, "The resource parameter is required.");
            } else {
                status = 200;
                Principal principal = clientId == null || clientId.equalsIgnoreCase(managedIdentity.appId())
                        ? managedIdentity : Principal.userAssignedIdentity(clientId);
                Instant expiresOn = now.plus(TOKEN_LIFETIME);
                body = new JsonObject();
                body.addProperty("access_token", Tokens.issue(principal, expiresOn));
                body.addProperty("expires_on", Long.toString(expiresOn.getEpochSecond()));
                body.addProperty("resource", resource);
                body.addProperty("token_type", "Bearer");
                body.addProperty("client_id", principal.appId());
            }
            log.record(new TokenRequest(now, resource, clientId, status));
            byte[] bytes = Json.GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * Waits while the configured delay has not passed (a slow or hanging endpoint), re-reading it so that a test
     * that lifts the delay frees the threads still waiting; false when interrupted (the emulator is closing).
     */
    private boolean waitForDelay() {
        long start = System.nanoTime();
        while (true) {
            long remaining = delay.get().toNanos() - (System.nanoTime() - start);
            if (remaining <= 0) {
                return true;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(Duration.ofNanos(remaining).toMillis(), 50)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static JsonObject error(int status, String message) {
        JsonObject body = new JsonObject();
        body.addProperty("statusCode", status);
        body.addProperty("message", message);
        return body;
    }
}
