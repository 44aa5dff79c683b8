package dev.aksrouteguard.emulator;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** An ARM error answer: an HTTP status with the {@code {"error":{"code","message","details"}}} body. */
final class ArmError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final JsonArray details = new JsonArray();
    private final Map<String, String> headers = new LinkedHashMap<>();

    ArmError(int status, String code, String message) {
        super(Objects.requireNonNull(message, "message == null"), null, false, false);
        this.status = status;
        this.code = Objects.requireNonNull(code, "code == null");
    }

    static ArmError resourceNotFound(ArmPath path) {
        return new ArmError(404, "ResourceNotFound", "The Resource '" + path.typeAndNames()
                + "' under resource group '" + path.resourceGroup()
                + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
    }

    /** How Network RP itself answers for a missing child resource. */
    static ArmError notFound(String resourceId) {
        return new ArmError(404, "NotFound", "Resource " + resourceId + " not found.");
    }

    static ArmError resourceGroupNotFound(String resourceGroup) {
        return new ArmError(404, "ResourceGroupNotFound", "Resource group '" + resourceGroup + "' could not be found.");
    }

    static ArmError badRequest(String code, String message) {
        return new ArmError(400, code, message);
    }

    ArmError detail(String detailCode, String detailMessage) {
        JsonObject detail = new JsonObject();
        detail.addProperty("code", detailCode);
        detail.addProperty("message", detailMessage);
        details.add(detail);
        return this;
    }

    ArmError header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Map<String, String> headers() {
        return headers;
    }

    JsonObject body() {
        JsonObject error = new JsonObject();
        error.addProperty("code", code);
        error.addProperty("message", getMessage());
        error.add("details", details.deepCopy());
        JsonObject body = new JsonObject();
        body.add("error", error);
        return body;
    }
}
