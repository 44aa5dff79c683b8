package dev.aksrouteguard.emulator;

import java.time.Instant;
import java.util.Objects;

/**
 * One ARM request the emulator served (token requests are logged apart, see {@link TokenRequest}).
 *
 * @param time when it arrived
 * @param method the HTTP method
 * @param path the decoded path, without query
 * @param query the raw query string, empty if none
 * @param status the status answered
 * @param ifMatch the {@code If-Match} header sent, if any
 * @param principal the authenticated caller, or null when authentication failed
 * @param correlationId the {@code x-ms-correlation-request-id} of the exchange
 * @param body the request body exactly as sent, decoded as UTF-8 (empty for none): what a client wrote, byte for byte,
 *     before the emulator made its stored resource of it
 */
public record RecordedRequest(Instant time, String method, String path, String query, int status,
        @Nullable String ifMatch, @Nullable Principal principal, String correlationId, String body) {

    public RecordedRequest {
        Objects.requireNonNull(time, "time == null");
        Objects.requireNonNull(method, "method == null");
        Objects.requireNonNull(path, "path == null");
        Objects.requireNonNull(query, "query == null");
        Objects.requireNonNull(correlationId, "correlationId == null");
        Objects.requireNonNull(body, "body == null");
    }

    /** GET or HEAD. */
    public boolean isRead() {
        return method.equals("GET") || method.equals("HEAD");
    }

    /** PUT, PATCH, POST or DELETE. */
    public boolean isWrite() {
        return !isRead();
    }

    /**
     * The RBAC action ARM checks for this request, as {@link ArmEmulator#rbacAction(String, String)}.
     *
     * @throws IllegalArgumentException if the path was not an ARM path (the emulator answered it 400)
     */
    public String rbacAction() {
        return ArmEmulator.rbacAction(method, path);
    }
}
