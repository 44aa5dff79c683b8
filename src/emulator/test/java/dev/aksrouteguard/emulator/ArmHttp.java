package dev.aksrouteguard.emulator;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/** Plain HTTP calls to the emulator, for tests that control every header (test support). */
final class ArmHttp {
    static final String API = "api-version=2024-05-01";

    /** A response with its body parsed (empty object when there is none). */
    record Response(int status, JsonObject body, java.net.http.HttpHeaders headers) {
        String errorCode() {
            return body.getAsJsonObject("error").get("code").getAsString();
        }

        String errorMessage() {
            return body.getAsJsonObject("error").get("message").getAsString();
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String provisioningState() {
            return body.getAsJsonObject("properties").get("provisioningState").getAsString();
        }
    }

    private final ArmEmulator arm;
    private final HttpClient client;
    private final String token;

    ArmHttp(ArmEmulator arm, Principal principal) {
        this.arm = arm;
        this.client = HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
        this.token = arm.issueToken(principal);
    }

    ArmHttp as(Principal principal) {
        return new ArmHttp(arm, principal);
    }

    Response get(String pathAndQuery) {
        return send("GET", pathAndQuery, null);
    }

    Response put(String pathAndQuery, JsonObject body, String... headers) {
        return send("PUT", pathAndQuery, body, headers);
    }

    Response delete(String pathAndQuery) {
        return send("DELETE", pathAndQuery, null);
    }

    /** Follows a URL the emulator handed out (nextLink, Azure-AsyncOperation). */
    Response getUrl(String url) {
        return send("GET", url.substring(arm.endpoint().toString().length() - 1), null);
    }

    Response send(String method, String pathAndQuery, JsonObject body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(arm.endpoint().resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.GSON.toJson(body)));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String text = Objects.requireNonNullElse(response.body(), "");
            return new Response(response.statusCode(), text.isBlank() ? new JsonObject() : Json.parseObject(text),
                    response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls an operation until it is no longer InProgress; returns the final status body. */
    Response pollToEnd(Response write) {
        String url = write.header("Azure-AsyncOperation");
        for (int i = 0; i < 100; i++) {
            Response poll = getUrl(url);
            if (!poll.body().get("status").getAsString().equals("InProgress")) {
                return poll;
            }
        }
        throw new AssertionError("operation never ended: " + url);
    }
}
