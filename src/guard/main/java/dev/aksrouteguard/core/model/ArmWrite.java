package dev.aksrouteguard.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A {@code Microsoft.Resources.ResourceWriteSuccess} event, reduced to a hint: which resource was written, by
 * whom. The reconciler never trusts it beyond the resource ID; state is re-read from ARM.
 */
public record ArmWrite(
        String eventId,
        String operationName,
        ResourceId subject,
        @Nullable Instant eventTime,
        @Nullable String correlationId,
        Actor actor) {

    public ArmWrite {
        Objects.requireNonNull(eventId, "eventId == null");
        Objects.requireNonNull(operationName, "operationName == null");
        Objects.requireNonNull(subject, "subject == null");
        Objects.requireNonNull(actor, "actor == null");
    }
}
