package dev.aksrouteguard.azure;

import java.time.Duration;
import java.util.Objects;

/**
 * How long any single ARM interaction may take. A broken or overloaded ARM (an operation that stays
 * {@code InProgress}, a 429 storm with {@code Retry-After: 120}, a {@code nextLink} that points back at its own page, a
 * token endpoint that does not answer) must end in a clear failure, never in a wait without end: the callers (the Event
 * Grid function's 30-second window, the sweep's time budget, the CLI) can only keep their own budgets if every call
 * under them is bounded.
 *
 * @param tokenDeadline how long the credential may take to hand out an access token; then the call fails
 *     {@code TRANSIENT} ("no access token within …")
 * @param maxSingleWait the longest single wait before a retry (a {@code Retry-After} or the backoff); a
 *     {@code Retry-After} above it is not waited for: the call fails at once {@code TRANSIENT}, carrying the
 *     {@code Retry-After}, so that the caller hands the subnet to its retry queue or the next sweep
 * @param maxRetries retries of one request on 408, 429, 5xx (not 501/505) and I/O errors, as the Azure SDK does
 * @param retryBudget the time one request may spend in retries: no wait starts that would end after it
 * @param operationDeadline how long a long-running write is followed; then it fails {@code DEADLINE_EXCEEDED}
 *     ("still running after …; the sweep will check again")
 * @param listDeadline how long one listing (all its pages) may take; then it fails {@code DEADLINE_EXCEEDED}
 * @param maxPages the most pages one listing may have; more fails {@code INVALID_RESPONSE} (a repeated
 *     {@code nextLink} fails at once)
 */
public record ArmLimits(
        Duration tokenDeadline,
        Duration maxSingleWait,
        int maxRetries,
        Duration retryBudget,
        Duration operationDeadline,
        Duration listDeadline,
        int maxPages) {

    /** Managed identity answers in well under a second; {@code az login} locally in a few. */
    public static final Duration TOKEN_DEADLINE = Duration.ofSeconds(15);
    /** The Azure SDK's own backoff tops out at 8 s; ARM's {@code Retry-After} on throttling is often far longer. */
    public static final Duration MAX_SINGLE_WAIT = Duration.ofSeconds(10);
    /** The Azure SDK's default. */
    public static final int MAX_RETRIES = 3;
    public static final Duration RETRY_BUDGET = Duration.ofSeconds(20);
    /** A subnet PUT normally completes in seconds. */
    public static final Duration OPERATION_DEADLINE = Duration.ofMinutes(2);
    public static final Duration LIST_DEADLINE = Duration.ofMinutes(2);
    /**
     * A sane page count: at 100 items a page, 100,000 resources of one type, far beyond one subscription's quotas
     * (5,000 managed clusters; 1,000 virtual networks per region).
     */
    public static final int MAX_PAGES = 1_000;

    /** The defaults above. */
    public static final ArmLimits DEFAULT = new ArmLimits(TOKEN_DEADLINE, MAX_SINGLE_WAIT, MAX_RETRIES, RETRY_BUDGET,
            OPERATION_DEADLINE, LIST_DEADLINE, MAX_PAGES);

    public ArmLimits {
        positive(tokenDeadline, "tokenDeadline");
        positive(maxSingleWait, "maxSingleWait");
        positive(retryBudget, "retryBudget");
        positive(operationDeadline, "operationDeadline");
        positive(listDeadline, "listDeadline");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries < 0: " + maxRetries);
        }
        if (maxPages < 1) {
            throw new IllegalArgumentException("maxPages < 1: " + maxPages);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name + " == null");
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
