package dev.aksrouteguard.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * A failed ARM call, classified by what the reconciler should do about it. The adapters map SDK exceptions to
 * this; the core never sees an SDK type. Its message quotes ARM (or the transport) and goes to outcomes, logs, cards
 * and command output, so it is {@linkplain Secrets#mask masked} here, once, whoever builds it.
 */
public final class ArmException extends RuntimeException {

    /** The closed set of reactions. */
    public enum Kind {
        /** 429, 409 AnotherOperationInProgress, 5xx, timeouts: retry with backoff. */
        TRANSIENT,
        /** 412: the resource changed since it was read: re-read and decide again. */
        PRECONDITION_FAILED,
        /** 404: the resource is gone. */
        NOT_FOUND,
        /** 400 InvalidResourceReference: something the body references (the route table) is gone. */
        INVALID_REFERENCE,
        /** 401/403: a permission is missing. */
        FORBIDDEN,
        /** Anything else, including a long-running operation that ended Failed or Canceled. */
        TERMINAL,
        /**
         * ARM answered something that cannot be trusted, so nothing may be decided or written on it: a subnet read
         * that is incomplete (no {@code properties}, no address prefix, no etag) or is not of the resource asked for,
         * a body that is not a JSON object, a list page without a {@code value} array, a {@code nextLink} that
         * repeats, leaves the listed subscription or goes past the page cap. Not retried at once; the next event or
         * sweep reads again.
         */
        INVALID_RESPONSE,
        /**
         * An ARM interaction did not end within its deadline: a long-running operation still running (the write may
         * still complete: the next event or sweep reads the subnet again), or a listing still paging. Not retried
         * at once.
         */
        DEADLINE_EXCEEDED
    }

    private final Kind kind;
    private final int status;
    private final @Nullable String code;
    private final @Nullable Duration retryAfter;
    private final @Nullable String missingAction;

    public ArmException(Kind kind, int status, @Nullable String code, String message, @Nullable Duration retryAfter,
            @Nullable String missingAction, @Nullable Throwable cause) {
        super(Secrets.mask(Objects.requireNonNull(message, "message == null")), cause);
        this.kind = Objects.requireNonNull(kind, "kind == null");
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
        this.missingAction = missingAction;
    }

    /** A failure that is neither retried nor re-read: no HTTP status, no ARM error code ({@link Kind#TERMINAL}). */
    public static ArmException terminal(String message, @Nullable Throwable cause) {
        return new ArmException(Kind.TERMINAL, 0, null, message, null, null, cause);
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when there was no response (timeout, connection refused). */
    public int status() {
        return status;
    }

    /** The ARM error code, e.g. {@code LinkedAuthorizationFailed}. */
    public @Nullable String code() {
        return code;
    }

    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    /** For 403s: the RBAC action the identity lacks, e.g. {@code Microsoft.Network/routeTables/join/action}. */
    public @Nullable String missingAction() {
        return missingAction;
    }

    /**
     * True when the error says another operation held the resource: Network RP's 409 {@code AnotherOperationInProgress},
     * its 429 {@code RetryableErrorDueToAnotherOperation} ("when the target resource is locked by another operation",
     * Learn, "Understand how Azure Resource Manager throttles requests", "Error code"), or a write of ours that it
     * cancelled because another write (a PUT of the VNet by IaC) superseded it. The reconciler waits such a writer out;
     * the ARM adapters do not poll it again as if it were a failure to read.
     */
    public boolean anotherOperation() {
        return code != null && ANOTHER_OPERATION_CODES.contains(code.toLowerCase(java.util.Locale.ROOT));
    }

    private static final java.util.Set<String> ANOTHER_OPERATION_CODES = java.util.Set.of("anotheroperationinprogress",
            "retryableerrorduetoanotheroperation", "canceledandsupersededduetoanotheroperation");
}
