package dev.aksrouteguard.emulator;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds Azure Resource Manager system events in the Event Grid schema, shaped like the
 * {@code Microsoft.Resources.ResourceWriteSuccess} samples: one event object (deliveries wrap them in
 * an array).
 */
final class Events {
    static final String WRITE_SUCCESS = "Microsoft.Resources.ResourceWriteSuccess";
    static final String WRITE_FAILURE = "Microsoft.Resources.ResourceWriteFailure";
    static final String WRITE_CANCEL = "Microsoft.Resources.ResourceWriteCancel";
    static final String DELETE_SUCCESS = "Microsoft.Resources.ResourceDeleteSuccess";

    private Events() {
    }

    /**
     * @param resourceUri the resource id as the request addressed it (the subject)
     * @param operationName e.g. {@code Microsoft.Network/virtualNetworks/subnets/write}
     * @param update whether the resource existed before; only then does ARM include {@code httpRequest}
     */
    static JsonObject resourceEvent(String eventType, String status, RequestContext request, String tenantId,
            String subscriptionId, String resourceProvider, String resourceUri, String operationName, boolean update,
            Instant eventTime) {
        JsonObject authorization = new JsonObject();
        authorization.addProperty("scope", resourceUri);
        authorization.addProperty("action", operationName);
        JsonObject evidence = new JsonObject();
        evidence.addProperty("role", request.principal().kind() == Principal.Kind.USER ? "Owner" : "Contributor");
        evidence.addProperty("roleAssignmentScope", "/subscriptions/" + subscriptionId);
        evidence.addProperty("principalId", request.principal().objectId());
        evidence.addProperty("principalType", request.principal().principalType());
        authorization.add("evidence", evidence);

        JsonObject claims = new JsonObject();
        request.principal().claims(tenantId, request.clientIp()).forEach(claims::addProperty);

        JsonObject data = new JsonObject();
        data.add("authorization", authorization);
        data.add("claims", claims);
        data.addProperty("correlationId", request.correlationId());
        if (update) {
            JsonObject httpRequest = new JsonObject();
            httpRequest.addProperty("clientRequestId", request.clientRequestId());
            httpRequest.addProperty("clientIpAddress", request.clientIp());
            httpRequest.addProperty("method", request.method());
            httpRequest.addProperty("url", request.url());
            data.add("httpRequest", httpRequest);
        }
        data.addProperty("resourceProvider", resourceProvider);
        data.addProperty("resourceUri", resourceUri);
        data.addProperty("operationName", operationName);
        data.addProperty("status", status);
        data.addProperty("subscriptionId", subscriptionId);
        data.addProperty("tenantId", tenantId);

        JsonObject event = new JsonObject();
        event.addProperty("topic", "/subscriptions/" + subscriptionId);
        event.addProperty("subject", resourceUri);
        event.addProperty("eventType", eventType);
        event.addProperty("eventTime", eventTime.toString());
        event.addProperty("id", UUID.randomUUID().toString());
        event.add("data", data);
        event.addProperty("dataVersion", "2");
        event.addProperty("metadataVersion", "1");
        return event;
    }
}
