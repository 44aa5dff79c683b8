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
 * does not know the AKS route table does. {@link #viaDeployment} plays the ARM/Bicep form: a deployment in the VNet's
 * resource group, then the VNet write under the deployment's correlation ID.
 */
public final class IacRedeploy {
    private static final String API_VERSION = "2024-05-01";
    private static final String DEPLOYMENTS_API_VERSION = "2025-04-01";

    /**
     * What {@link #viaDeployment} did.
     *
     * @param deploymentId the deployment's resource ID
     * @param correlationId the correlation ID of the deployment and of every write it made
     * @param virtualNetwork the VNet as ARM answers it afterwards
     */
    public record Deployed(String deploymentId, String correlationId, JsonObject virtualNetwork) {
    }

    private IacRedeploy() {
    }

    /**
     * Plays {@code az deployment group create} of a Bicep template that declares the VNet with its subnets inline but
     * knows nothing of the AKS route table: a deployment {@code deploymentName} in the VNet's resource group (its
     * template linked at {@code templateUri}, or inline when null), then the VNet PUT without route tables, both under
     * one new correlation ID, as ARM's deployment engine makes a deployment's writes.
     */
    public static Deployed viaDeployment(ArmEmulator arm, String virtualNetworkId, String deploymentName,
            @Nullable String templateUri, Principal caller) {
        Objects.requireNonNull(arm, "arm == null");
        Objects.requireNonNull(virtualNetworkId, "virtualNetworkId == null");
        Objects.requireNonNull(deploymentName, "deploymentName == null");
        Objects.requireNonNull(caller, "caller == null");
        String correlationId = java.util.UUID.randomUUID().toString();
        String group = virtualNetworkId.substring(0, virtualNetworkId.toLowerCase(java.util.Locale.ROOT).indexOf("/providers/"));
        String deploymentId = group + "/providers/Microsoft.Resources/deployments/" + deploymentName;
        JsonObject properties = new JsonObject();
        properties.addProperty("mode", "Incremental");
        if (templateUri != null) {
            JsonObject link = new JsonObject();
            link.addProperty("uri", templateUri);
            properties.add("templateLink", link);
        } else {
            JsonObject template = new JsonObject();
            template.addProperty("$schema", "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#");
            template.addProperty("contentVersion", "1.0.0.0");
            properties.add("template", template);
        }
        JsonObject body = new JsonObject();
        body.add("properties", properties);
        HttpClient client = HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
        String token = arm.issueToken(caller);
        HttpResponse<String> put = send(client, request(arm.endpoint().resolve(deploymentId + "?api-version=" + DEPLOYMENTS_API_VERSION),
                token, correlationId).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Json.GSON.toJson(body), StandardCharsets.UTF_8)));
        require(put, 200);
        JsonObject vnet = redeploy(arm, client, token, virtualNetworkId, correlationId);
        return new Deployed(deploymentId, correlationId, vnet);
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
        return redeploy(arm, client, arm.issueToken(caller), virtualNetworkId, null);
    }

    /**
     * Starts what {@link #dropRouteTables} does and returns once ARM has accepted the VNet PUT, without following its
     * operation: the re-deploy still in flight, its VNet and subnets reading {@code provisioningState: Updating} with the
     * route tables already gone. The operation ends when someone polls it to the end or
     * {@link ArmEmulator#settlePendingOperations()} is called (a test injects {@code Fault.on("PUT", vnet).neverEnds()}
     * to keep it running whatever polls it).
     *
     * @return the write's {@code Azure-AsyncOperation} URL, or null when ARM completed it at once
     * @throws IllegalStateException if ARM refuses the write (the message carries ARM's error)
     */
    public static @Nullable String startDroppingRouteTables(ArmEmulator arm, String virtualNetworkId, Principal caller) {
        Objects.requireNonNull(arm, "arm == null");
        Objects.requireNonNull(virtualNetworkId, "virtualNetworkId == null");
        Objects.requireNonNull(caller, "caller == null");
        HttpClient client = HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
        return start(arm, client, arm.issueToken(caller), virtualNetworkId, null);
    }

    private static @Nullable String start(ArmEmulator arm, HttpClient client, String token, String virtualNetworkId,
            @Nullable String correlationId) {
        URI uri = arm.endpoint().resolve(virtualNetworkId + "?api-version=" + API_VERSION);
        HttpResponse<String> read = send(client, request(uri, token, correlationId).GET());
        require(read, 200);
        JsonObject template = Json.parseObject(read.body());
        for (JsonElement subnet : InlineChildren.SUBNETS.entries(template)) {
            Json.properties(subnet.getAsJsonObject()).remove("routeTable");
        }
        HttpResponse<String> write = send(client, request(uri, token, correlationId)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Json.GSON.toJson(template), StandardCharsets.UTF_8)));
        require(write, 200);
        return write.headers().firstValue("Azure-AsyncOperation").orElse(null);
    }

    private static JsonObject redeploy(ArmEmulator arm, HttpClient client, String token, String virtualNetworkId,
            @Nullable String correlationId) {
        URI uri = arm.endpoint().resolve(virtualNetworkId + "?api-version=" + API_VERSION);
        String operation = start(arm, client, token, virtualNetworkId, correlationId);
        while (operation != null) {
            HttpResponse<String> poll = send(client, request(URI.create(operation), token, correlationId).GET());
            require(poll, 200);
            String status = Json.parseObject(poll.body()).get("status").getAsString();
            if (status.equals("Failed") || status.equals("Canceled")) {
                throw new IllegalStateException("re-deploy of " + virtualNetworkId + " ended " + status + ": " + poll.body());
            }
            operation = status.equals("Succeeded") ? null : operation;
        }
        HttpResponse<String> after = send(client, request(uri, token, correlationId).GET());
        require(after, 200);
        return Json.parseObject(after.body());
    }

    private static HttpRequest.Builder request(URI uri, String token, @Nullable String correlationId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
        return correlationId == null ? b : b.header("x-ms-correlation-request-id", correlationId);
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
