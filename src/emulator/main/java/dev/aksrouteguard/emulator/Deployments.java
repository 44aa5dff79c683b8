package dev.aksrouteguard.emulator;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;

/**
 * Resource group deployments, {@code Microsoft.Resources/deployments}, as ARM answers them
 * ({@code DeploymentExtended}: {@code id}, {@code name}, {@code type}, {@code properties} with {@code correlationId},
 * {@code timestamp}, {@code duration}, {@code provisioningState}, {@code mode}, {@code templateHash} and
 * {@code templateLink}). The emulator does not run templates: a deployment PUT is stored at once as
 * {@code Succeeded}, with the request's correlation ID; a fixture ({@link IacRedeploy#viaDeployment}) then makes the
 * writes the template would make, under the same correlation ID, as ARM's deployment engine does.
 */
final class Deployments {

    private Deployments() {
    }

    /** The stored deployment for a PUT of {@code body}. */
    static JsonObject fromRequest(ArmPath path, JsonObject body, String correlationId, Instant now) {
        JsonObject requested = Json.object(body, "properties");
        if (requested == null || Json.string(requested, "mode") == null) {
            throw ArmError.badRequest("InvalidDeployment", "The deployment properties.mode is required (Incremental or Complete).");
        }
        JsonObject properties = new JsonObject();
        JsonElement template = requested.get("template");
        JsonObject link = Json.object(requested, "templateLink");
        if (template == null && link == null) {
            throw ArmError.badRequest("InvalidDeployment", "The deployment needs a template or a templateLink.");
        }
        if (link != null) {
            properties.add("templateLink", link.deepCopy());
        }
        properties.addProperty("templateHash", templateHash(template != null ? template : link));
        if (requested.has("parameters")) {
            properties.add("parameters", requested.get("parameters").deepCopy());
        }
        properties.addProperty("mode", Json.string(requested, "mode"));
        properties.addProperty("provisioningState", "Succeeded");
        properties.addProperty("correlationId", correlationId);
        properties.addProperty("timestamp", now.toString());
        properties.addProperty("duration", "PT0S");
        return resource(path, properties);
    }

    /** A seeded deployment: the body's properties as given (a fixture sets correlationId, timestamp, templateLink). */
    static JsonObject seeded(ArmPath path, JsonObject body) {
        JsonObject properties = Json.object(body, "properties");
        JsonObject copy = properties == null ? new JsonObject() : properties.deepCopy();
        if (!copy.has("provisioningState")) {
            copy.addProperty("provisioningState", "Succeeded");
        }
        return resource(path, copy);
    }

    private static JsonObject resource(ArmPath path, JsonObject properties) {
        JsonObject resource = new JsonObject();
        resource.addProperty("id", path.resourceId());
        resource.addProperty("name", path.lastName());
        resource.addProperty("type", Types.DEPLOYMENT);
        resource.add("properties", properties);
        return resource;
    }

    /** A decimal hash of the template, as ARM gives {@code templateHash} (e.g. {@code "14183218925049361010"}). */
    static String templateHash(JsonElement template) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Json.GSON.toJson(template).getBytes(StandardCharsets.UTF_8));
            return new BigInteger(1, Arrays.copyOf(digest, 8)).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
