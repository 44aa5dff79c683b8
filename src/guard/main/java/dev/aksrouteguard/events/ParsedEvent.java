package dev.aksrouteguard.events;

import dev.aksrouteguard.core.model.ArmWrite;

/** One event of a delivery, parsed. A closed set: act on it, ignore it, or drop it as poison. */
public sealed interface ParsedEvent {

    /** A {@code ResourceWriteSuccess}: the hint the guard acts on. */
    record Write(ArmWrite write) implements ParsedEvent {}

    /** A well-formed event of another type (e.g. ResourceDeleteSuccess): not the guard's business. */
    record Ignored(String id, String type) implements ParsedEvent {}

    /**
     * An event that cannot be understood (not JSON, no subject, a subject that is not an ARM ID, wrong types).
     * Logged once and dropped, never thrown: Event Grid would redeliver a poison event for a day.
     */
    record Malformed(String id, String reason) implements ParsedEvent {}
}
