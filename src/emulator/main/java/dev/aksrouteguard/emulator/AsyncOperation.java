package dev.aksrouteguard.emulator;

import com.google.gson.JsonObject;
import java.time.Instant;

/**
 * One long-running write as ARM tracks it behind an {@code Azure-AsyncOperation} URL. It ends after a
 * number of polls (or when the emulator is told to settle), the way a test can count on; not after time.
 * Mutable; {@link ArmState} guards it.
 */
final class AsyncOperation {
    enum Status {
        IN_PROGRESS("InProgress"), SUCCEEDED("Succeeded"), FAILED("Failed"), CANCELED("Canceled");

        final String wire;

        Status(String wire) {
            this.wire = wire;
        }
    }

    final String id;
    final String statusUrl;
    /** Lower-case id of the top-level resource written (the VNet for a subnet): one write at a time. */
    final String lockKey;
    final @Nullable String childName;
    /** The top-level resource before the write, restored if the operation fails; null for a create. */
    final @Nullable JsonObject before;
    final boolean created;
    final @Nullable Fault failure;
    final RequestContext request;
    final String operationName;
    final Instant startTime;
    int remainingPolls;
    Status status = Status.IN_PROGRESS;
    @Nullable Instant endTime;
    /** The operation (its action) of a later write that ended this one {@code Canceled}, or null. */
    @Nullable String supersededBy;

    AsyncOperation(String id, String statusUrl, String lockKey, @Nullable String childName,
            @Nullable JsonObject before, boolean created, @Nullable Fault failure, RequestContext request,
            String operationName, Instant startTime, int remainingPolls) {
        this.id = id;
        this.statusUrl = statusUrl;
        this.lockKey = lockKey;
        this.childName = childName;
        this.before = before;
        this.created = created;
        this.failure = failure;
        this.request = request;
        this.operationName = operationName;
        this.startTime = startTime;
        this.remainingPolls = remainingPolls;
    }

    /** The body of {@code GET statusUrl}, as Network RP and AKS answer it. */
    JsonObject statusBody() {
        JsonObject body = new JsonObject();
        body.addProperty("id", statusUrl.substring(0, statusUrl.indexOf('?')).replaceFirst("^https://[^/]+", ""));
        body.addProperty("name", id);
        body.addProperty("status", status.wire);
        body.addProperty("startTime", startTime.toString());
        if (endTime != null) {
            body.addProperty("endTime", endTime.toString());
        }
        if ((status == Status.FAILED || status == Status.CANCELED) && (failure != null || supersededBy != null)) {
            JsonObject error = new JsonObject();
            error.addProperty("code", failure != null ? failure.code() : "Canceled");
            error.addProperty("message", failure != null ? failure.message() : "Operation was canceled.");
            if (status == Status.CANCELED) {
                JsonObject detail = new JsonObject();
                detail.addProperty("code", "CanceledAndSupersededDueToAnotherOperation");
                detail.addProperty("message", "Operation " + operationName + " (" + id + ") was canceled and superseded by "
                        + "operation " + (supersededBy != null ? supersededBy
                                : "PutVirtualNetworkOperation (" + java.util.UUID.randomUUID() + ")") + ".");
                com.google.gson.JsonArray details = new com.google.gson.JsonArray();
                details.add(detail);
                error.add("details", details);
            }
            body.add("error", error);
        }
        return body;
    }
}
