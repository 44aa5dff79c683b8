package dev.aksrouteguard.emulator;

import java.util.Objects;

/**
 * What the state needs to know about the HTTP request behind a write: who sent it, how to correlate it,
 * and what to put in the event it causes.
 *
 * @param principal the authenticated caller
 * @param method the HTTP method
 * @param url the full request URL, query included, as the {@code httpRequest.url} of events
 * @param path the decoded request path as sent (the event subject keeps the caller's casing)
 * @param apiVersion the request's {@code api-version}, echoed in operation URLs
 * @param correlationId the caller's {@code x-ms-correlation-request-id} or a new one
 * @param clientRequestId the caller's {@code x-ms-client-request-id} or empty
 * @param clientIp the caller's IP address
 * @param operationFault an injected fault for this write's async operation (it ends Failed, or never ends)
 * @param linkedAccess checks linked actions (the join/actions of what a subnet references) for this caller
 */
record RequestContext(Principal principal, String method, String url, String path, String apiVersion,
        String correlationId, String clientRequestId, String clientIp, @Nullable Fault operationFault,
        LinkedAccess linkedAccess) {

    /** Throws 403 {@code LinkedAuthorizationFailed} when the caller may not link what a write references. */
    interface LinkedAccess {
        void check(String action, String scope, java.util.List<LinkedAction> linked);
    }

    /** A linked action on a scope, e.g. {@code routeTables/join/action} on the route table's id. */
    record LinkedAction(String action, String scope) {
    }

    RequestContext {
        Objects.requireNonNull(principal, "principal == null");
        Objects.requireNonNull(method, "method == null");
        Objects.requireNonNull(url, "url == null");
        Objects.requireNonNull(path, "path == null");
        Objects.requireNonNull(apiVersion, "apiVersion == null");
        Objects.requireNonNull(correlationId, "correlationId == null");
        Objects.requireNonNull(clientRequestId, "clientRequestId == null");
        Objects.requireNonNull(clientIp, "clientIp == null");
        Objects.requireNonNull(linkedAccess, "linkedAccess == null");
    }
}
