package dev.aksrouteguard.emulator;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Plays an infrastructure-as-code pipeline against the emulator over HTTPS, so the drift it causes comes
 * with a real request log entry and a real {@code ResourceWriteSuccess} event: it reads a VNet and PUTs
 * it back without any subnet's {@code routeTable}, the way a Terraform or Bicep re-deploy whose template
 * does not know the AKS route table does.
 */
public final class IacRedeploy {
    private static final String API_VERSION = "2024-05-01";

    private IacRedeploy() {
    }

    /**
     * Re-deploys the VNet as {@code caller} without route table associations and waits for the write to
     * complete (polling its async operation). Returns the VNet as ARM answers it afterwards.
     *
     * @throws IllegalStateException if ARM refuses the write (the message carries ARM's error)
     */
    public static JsonObject dropRouteTables(ArmEmulator arm, String virtualNetworkId, Principal caller) {
        Objects.requireNonNull(arm, "arm == null");
        Objects.requireNonNull(virtualNetworkId, "virtualNetworkId == null");
        Objects.requireNonNull(caller, "caller == null");
        HttpClient client = HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
        String token = arm.issueToken(caller);
        URI uri = arm.endpoint().resolve(virtualNetworkId + "?api-version=" + API_VERSION);
        HttpResponse<String> read = send(client, request(uri, token).GET());
        require(read, 200);
        JsonObject template = Json.parseObject(read.body());
        for (JsonElement subnet : InlineChildren.SUBNETS.entries(template)) {
            Json.properties(subnet.getAsJsonObject()).remove("routeTable");
        }
        HttpResponse<String> write = send(client, request(uri, token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Json.GSON.toJson(template), StandardCharsets.UTF_8)));
        require(write, 200);
        String operation = write.headers().firstValue("Azure-AsyncOperation").orElse(null);
        while (operation != null) {
            HttpResponse<String> poll = send(client, request(URI.create(operation), token).GET());
            require(poll, 200);
            String status = Json.parseObject(poll.body()).get("status").getAsString();
            if (status.equals("Failed") || status.equals("Canceled")) {
                throw new IllegalStateException("re-deploy of " + virtualNetworkId + " ended " + status + ": " + poll.body());
            }
            operation = status.equals("Succeeded") ? null : operation;
        }
        HttpResponse<String> after = send(client, request(uri, token).GET());
        require(after, 200);
        return Json.parseObject(after.body());
    }

    private static HttpRequest.Builder request(URI uri, String token) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void require(HttpResponse<String> response, int status) {
        if (response.statusCode() != status && !(status == 200 && response.statusCode() == 201)) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
    }
}
