package dev.aksrouteguard.events;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.UUID;

/**
 * Builds ResourceWriteSuccess deliveries in the shapes Event Grid sends (Event Grid schema and CloudEvents 1.0),
 * modelled on the public samples: the project's own fixtures.
 */
public final class EventJson {

    public static final String UPN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";

    private String type = "Microsoft.Resources.ResourceWriteSuccess";
    private String subject;
    private String operation;
    private String id = UUID.randomUUID().toString();
    private String time = "2026-11-26T10:15:30.1234567Z";
    private String upn = "terraform@contoso.com";
    private String appId = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
    private String clientIp = "203.0.113.7";
    private String correlationId = "54ef1e39-6a82-44b3-abc1-bdeb6ce4d3c6";

    private EventJson(String subject, String operation) {
        this.subject = subject;
        this.operation = operation;
    }

    public static EventJson write(String subject, String operation) {
        return new EventJson(subject, operation);
    }

    public static EventJson subnetWrite(String subnetId) {
        return write(subnetId, "Microsoft.Network/virtualNetworks/subnets/write");
    }

    public static EventJson clusterWrite(String clusterId) {
        return write(clusterId, "Microsoft.ContainerService/managedClusters/write");
    }

    public static EventJson vnetWrite(String vnetId) {
        return write(vnetId, "Microsoft.Network/virtualNetworks/write");
    }

    public EventJson type(String t) {
        this.type = t;
        return this;
    }

    public EventJson id(String i) {
        this.id = i;
        return this;
    }

    public EventJson time(String t) {
        this.time = t;
        return this;
    }

    public EventJson upn(String u) {
        this.upn = u;
        return this;
    }

    public EventJson correlationId(String c) {
        this.correlationId = c;
        return this;
    }

    public EventJson clientIp(String ip) {
        this.clientIp = ip;
        return this;
    }

    private String subscription() {
        String[] parts = subject.split("/");
        return parts.length > 2 ? parts[2] : "00000000-0000-0000-0000-000000000000";
    }

    JsonObject data() {
        JsonObject data = new JsonObject();
        JsonObject auth = new JsonObject();
        auth.addProperty("scope", subject);
        auth.addProperty("action", operation);
        JsonObject evidence = new JsonObject();
        evidence.addProperty("role", "Network Contributor");
        auth.add("evidence", evidence);
        data.add("authorization", auth);
        JsonObject claims = new JsonObject();
        claims.addProperty("aud", "https://management.core.windows.net/");
        claims.addProperty("appid", appId);
        claims.addProperty("ipaddr", "198.51.100.1");
        claims.addProperty("name", "Terraform Pipeline");
        if (upn != null) {
            claims.addProperty(UPN, upn);
        }
        data.add("claims", claims);
        data.addProperty("correlationId", correlationId);
        if (clientIp != null) {
            JsonObject http = new JsonObject();
            http.addProperty("clientRequestId", UUID.randomUUID().toString());
            http.addProperty("clientIpAddress", clientIp);
            http.addProperty("method", "PUT");
            http.addProperty("url", "https://management.azure.com" + subject + "?api-version=2024-05-01");
            data.add("httpRequest", http);
        }
        data.addProperty("resourceProvider", operation.substring(0, operation.indexOf('/')));
        data.addProperty("resourceUri", subject);
        data.addProperty("operationName", operation);
        data.addProperty("status", "Succeeded");
        data.addProperty("subscriptionId", subscription());
        data.addProperty("tenantId", "72f988bf-86f1-41af-91ab-2d7cd011db47");
        return data;
    }

    /** One event in the Event Grid schema. */
    public JsonObject eventGrid() {
        JsonObject e = new JsonObject();
        e.addProperty("topic", "/subscriptions/" + subscription());
        e.addProperty("subject", subject);
        e.addProperty("eventType", type);
        e.addProperty("eventTime", time);
        e.addProperty("id", id);
        e.add("data", data());
        e.addProperty("dataVersion", "");
        e.addProperty("metadataVersion", "1");
        return e;
    }

    /** One event in the CloudEvents 1.0 schema. */
    public JsonObject cloudEvent() {
        JsonObject e = new JsonObject();
        e.addProperty("source", "/subscriptions/" + subscription());
        e.addProperty("subject", subject);
        e.addProperty("type", type);
        e.addProperty("time", time);
        e.addProperty("id", id);
        e.add("data", data());
        e.addProperty("specversion", "1.0");
        return e;
    }

    /** A delivery (a JSON array) of the given events. */
    public static String delivery(JsonObject... events) {
        JsonArray a = new JsonArray();
        for (JsonObject e : events) {
            a.add(e);
        }
        return a.toString();
    }
}
