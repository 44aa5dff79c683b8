package dev.aksrouteguard.emulator;

import java.time.Instant;
import java.util.Objects;

/**
 * One request to the managed-identity endpoint.
 *
 * @param time when it arrived
 * @param resource the {@code resource} asked for (empty if missing)
 * @param clientId the {@code client_id} of a user-assigned identity, if given
 * @param status the status answered (200, or 400/401 when refused)
 */
public record TokenRequest(Instant time, String resource, @Nullable String clientId, int status) {
    public TokenRequest {
        Objects.requireNonNull(time, "time == null");
        Objects.requireNonNull(resource, "resource == null");
    }
}
