package dev.aksrouteguard.core;

import java.util.Objects;

/**
 * A wait for the directory (another read of a subscription holding it, or a read on another thread) that reached its
 * caller's deadline: nothing was read for the caller and no ARM call was made on its behalf. A reconcile that meets it
 * is {@code deferred}, never {@code failed}: the subscription is not unreadable, only busy, and it is not remembered as
 * a failed read.
 */
final class DeadlineReached extends RuntimeException {

    private static final long serialVersionUID = 1L;

    DeadlineReached(String message) {
        super(Objects.requireNonNull(message, "message == null"), null, false, false);
    }
}
