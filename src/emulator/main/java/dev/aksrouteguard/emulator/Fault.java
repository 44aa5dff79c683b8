package dev.aksrouteguard.emulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * An injected failure for ARM requests that match a method and a path. Immutable: each {@code with}-style
 * method returns a new fault. Register it with {@link ArmEmulator#inject(Fault)}; it fires {@link #times}
 * times (once by default) and then heals.
 *
 * <pre>{@code
 * emulator.inject(Fault.on("GET", "/subnets/").respond(429, "RetryableError", "Retry later.").retryAfter(0).times(2));
 * emulator.inject(Fault.on("PUT", "/subnets/node-subnet$").failAsync("InternalServerError", "Boom."));
 * emulator.inject(Fault.on("GET", "/virtualNetworks").delay(Duration.ofSeconds(5)));  // then answers normally
 * emulator.inject(Fault.on("GET", "/deployments$").holdUntil(latch));  // answers once the test counts the latch down
 * emulator.inject(Fault.on("GET", "/subnets/nodes$").respondRaw(200, "{\"id\":\"...\"}"));  // any status, any body
 * emulator.inject(Fault.on("GET", "/virtualNetworks$").nextLinkToItself().always());  // paging that never ends
 * emulator.inject(Fault.on("PUT", "/subnets/").neverEnds());  // an operation that stays InProgress
 * }</pre>
 */
public final class Fault {
    /** What the fault does to a request it matches. */
    private enum Kind { DELAY_ONLY, ERROR, RAW, ASYNC_FAILURE, ASYNC_SUPERSEDED, NEVER_ENDS, NEXT_LINK_TO_ITSELF }

    private final String method;
    private final Predicate<String> path;
    private final String description;
    private final Kind kind;
    private final int status;
    private final String code;
    private final String message;
    private final @Nullable String rawBody;
    private final int retryAfterSeconds;
    private final int times;
    private final Duration delay;
    private final Map<String, String> headers;
    private final @Nullable CountDownLatch release;

    private Fault(String method, Predicate<String> path, String description, Kind kind, int status, String code,
            String message, @Nullable String rawBody, int retryAfterSeconds, int times, Duration delay,
            Map<String, String> headers, @Nullable CountDownLatch release) {
        this.method = method;
        this.path = path;
        this.description = description;
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.message = message;
        this.rawBody = rawBody;
        this.retryAfterSeconds = retryAfterSeconds;
        this.times = times;
        this.delay = delay;
        this.headers = Map.copyOf(headers);
        this.release = release;
    }

    /**
     * Matches requests with this method ({@code "*"} for any) whose decoded path (no query) contains a match
     * of {@code pathRegex}, case-insensitively; anchor it with {@code ^...$} to match whole paths.
     */
    public static Fault on(String method, String pathRegex) {
        Objects.requireNonNull(pathRegex, "pathRegex == null");
        Pattern pattern = Pattern.compile(pathRegex, Pattern.CASE_INSENSITIVE);
        return on(method, p -> pattern.matcher(p).find(), pathRegex);
    }

    /** Matches requests with this method ({@code "*"} for any) whose decoded path satisfies the predicate. */
    public static Fault on(String method, Predicate<String> pathMatcher) {
        return on(method, pathMatcher, "predicate");
    }

    private static Fault on(String method, Predicate<String> pathMatcher, String description) {
        Objects.requireNonNull(method, "method == null");
        Objects.requireNonNull(pathMatcher, "pathMatcher == null");
        return new Fault(method.toUpperCase(Locale.ROOT), pathMatcher, description, Kind.DELAY_ONLY, 0, "", "", null,
                -1, 1, Duration.ZERO, Map.of(), null);
    }

    private Fault with(Kind newKind, int newStatus, String newCode, String newMessage, @Nullable String newRawBody) {
        return new Fault(method, path, description, newKind, newStatus, newCode, newMessage, newRawBody,
                retryAfterSeconds, times, delay, headers, release);
    }

    /** Answers with this status and ARM error body instead of serving the request. */
    public Fault respond(int status, String code, String message) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a fault answers 4xx or 5xx: " + status);
        }
        Objects.requireNonNull(code, "code == null");
        Objects.requireNonNull(message, "message == null");
        return with(Kind.ERROR, status, code, message, null);
    }

    /**
     * Answers with this status and exactly this body (any text, or empty for none) instead of serving the request:
     * a {@code 200} whose document is incomplete, {@code null}, not JSON, a list page without {@code value}, and so
     * on. Nothing is read or written.
     */
    public Fault respondRaw(int status, String body) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("a raw answer has a status from 200 to 599: " + status);
        }
        Objects.requireNonNull(body, "body == null");
        return with(Kind.RAW, status, "", "", body);
    }

    /** Adds {@code Retry-After: seconds} to the fault's answer. */
    public Fault retryAfter(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("seconds < 0: " + seconds);
        }
        return new Fault(method, path, description, kind, status, code, message, rawBody, seconds, times, delay, headers, release);
    }

    /** Fires this many times, then heals. */
    public Fault times(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count < 1: " + count);
        }
        return new Fault(method, path, description, kind, status, code, message, rawBody, retryAfterSeconds, count,
                delay, headers, release);
    }

    /** Never heals (until {@link ArmEmulator#clearFaults()}). */
    public Fault always() {
        return times(Integer.MAX_VALUE);
    }

    /** Waits this long before answering (with the fault's answer, or normally if it has none). */
    public Fault delay(Duration delay) {
        Objects.requireNonNull(delay, "delay == null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        return new Fault(method, path, description, kind, status, code, message, rawBody, retryAfterSeconds, times,
                delay, headers, release);
    }

    /**
     * Holds the answer (after any {@link #delay}) until {@code release} opens, or for {@link #HOLD_AT_MOST} at most so
     * that a test that forgets cannot hang the emulator: a slow dependency whose end a test decides, e.g. a listing
     * held until the test has seen what must happen before it answers.
     */
    public Fault holdUntil(CountDownLatch release) {
        Objects.requireNonNull(release, "release == null");
        return new Fault(method, path, description, kind, status, code, message, rawBody, retryAfterSeconds, times,
                delay, headers, release);
    }

    /** The longest a {@link #holdUntil} fault holds an answer. */
    public static final Duration HOLD_AT_MOST = Duration.ofSeconds(60);

    /** Waits for the {@link #holdUntil} latch, if any (interrupted: answers at once). */
    void hold() {
        if (release == null) {
            return;
        }
        try {
            release.await(HOLD_AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Adds a header to the fault's answer (an error or a raw answer), e.g. an {@code Azure-AsyncOperation} URL that
     * points somewhere else.
     */
    public Fault header(String name, String value) {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(value, "value == null");
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Fault(method, path, description, kind, status, code, message, rawBody, retryAfterSeconds, times,
                delay, more, release);
    }

    /**
     * Lets the matching write start normally but makes its async operation end {@code Failed} with this
     * error; the write is then not applied and the resource shows {@code provisioningState: Failed}.
     */
    public Fault failAsync(String code, String message) {
        Objects.requireNonNull(code, "code == null");
        Objects.requireNonNull(message, "message == null");
        return with(Kind.ASYNC_FAILURE, 0, code, message, null);
    }

    /**
     * Lets the matching write start normally but makes its async operation end {@code Canceled}, as Network RP ends a
     * subnet write that a PUT of its virtual network supersedes: {@code error.code} {@code Canceled}, "Operation was
     * canceled.", with the detail {@code CanceledAndSupersededDueToAnotherOperation} (the shape users quote, e.g.
     * microsoft/AzureTRE#3177). The write is not applied and the resource keeps the state it had before it.
     */
    public Fault supersededAsync() {
        return with(Kind.ASYNC_SUPERSEDED, 0, "Canceled", "Operation was canceled.", null);
    }

    /**
     * Lets the matching write start normally (as a long-running operation, even with synchronous writes) but its
     * operation answers {@code InProgress} to every poll, with the usual {@code Retry-After}, until
     * {@link ArmEmulator#settlePendingOperations()}: the overloaded ARM whose operation never ends.
     */
    public Fault neverEnds() {
        return with(Kind.NEVER_ENDS, 0, "", "", null);
    }

    /**
     * Serves the matching list request normally but answers its own URL as {@code nextLink}: a pager that trusts
     * {@code nextLink} never stops. Use {@link #always()} to make every page do it.
     */
    public Fault nextLinkToItself() {
        return with(Kind.NEXT_LINK_TO_ITSELF, 0, "", "", null);
    }

    /** 429 {@code TooManyRequests} with {@code Retry-After}, as ARM throttling answers. */
    public static Fault throttled(String method, String pathRegex, int retryAfterSeconds) {
        return on(method, pathRegex).respond(429, "TooManyRequests",
                        "The request is being throttled as the limit has been reached for operation type - "
                                + "Write_ObservationWindow_00:05:00. For more information, refer to - "
                                + "https://aka.ms/srpthrottlinglimits")
                .retryAfter(retryAfterSeconds);
    }

    /** 409 {@code AnotherOperationInProgress}, as Network RP answers concurrent writes in one VNet. */
    public static Fault anotherOperationInProgress(String method, String pathRegex) {
        return on(method, pathRegex).respond(409, "AnotherOperationInProgress",
                "Another operation on this or dependent resource is in progress. To retrieve status of the "
                        + "operation use uri: https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000"
                        + "/providers/Microsoft.Network/locations/westeurope/operations/"
                        + "11111111-1111-1111-1111-111111111111?api-version=2024-05-01.");
    }

    /**
     * 429 {@code RetryableErrorDueToAnotherOperation}, as Network RP answers a write whose target resource another
     * operation has locked ("the network resource provider returns 429 with the RetryableErrorDueToAnotherOperation error
     * code when the target resource is locked by another operation": Learn, "Understand how Azure Resource Manager
     * throttles requests", section "Error code",
     * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling). A lock, not a
     * quota: the same contention as {@link #anotherOperationInProgress}, under another status and code. The message is
     * the emulator's own wording; add {@link #retryAfter} for the header.
     */
    public static Fault retryableErrorDueToAnotherOperation(String method, String pathRegex) {
        return on(method, pathRegex).respond(429, "RetryableErrorDueToAnotherOperation",
                "The operation could not be completed because the target resource is locked by another operation in "
                        + "progress. Retry the request later.");
    }

    boolean matches(String requestMethod, String requestPath) {
        return (method.equals("*") || method.equalsIgnoreCase(requestMethod)) && path.test(requestPath);
    }

    int times() {
        return times;
    }

    Duration delay() {
        return delay;
    }

    /** Whether the fault answers the request itself (an ARM error or a raw answer) instead of serving it. */
    boolean answers() {
        return kind == Kind.ERROR || kind == Kind.RAW;
    }

    boolean isRaw() {
        return kind == Kind.RAW;
    }

    /** Whether the write's operation ends other than Succeeded (Failed, or Canceled when superseded). */
    boolean isAsyncFailure() {
        return kind == Kind.ASYNC_FAILURE || kind == Kind.ASYNC_SUPERSEDED;
    }

    boolean isSuperseded() {
        return kind == Kind.ASYNC_SUPERSEDED;
    }

    boolean neverEndsOperation() {
        return kind == Kind.NEVER_ENDS;
    }

    /** Whether the fault changes the long-running operation of the write it matches. */
    boolean affectsOperation() {
        return kind == Kind.ASYNC_FAILURE || kind == Kind.ASYNC_SUPERSEDED || kind == Kind.NEVER_ENDS;
    }

    boolean pointsNextLinkToItself() {
        return kind == Kind.NEXT_LINK_TO_ITSELF;
    }

    int status() {
        return status;
    }

    String rawBody() {
        return Objects.requireNonNull(rawBody, "not a raw fault");
    }

    int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The headers of the fault's answer ({@code Retry-After} and any added with {@link #header}). */
    Map<String, String> answerHeaders() {
        Map<String, String> all = new LinkedHashMap<>();
        if (retryAfterSeconds >= 0) {
            all.put("Retry-After", Integer.toString(retryAfterSeconds));
        }
        all.putAll(headers);
        return all;
    }

    String code() {
        return code;
    }

    String message() {
        return message;
    }

    ArmError toError() {
        ArmError error = new ArmError(status, code, message);
        answerHeaders().forEach(error::header);
        return error;
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case DELAY_ONLY -> "delay " + delay;
            case ERROR -> status + " " + code;
            case RAW -> "raw " + status;
            case ASYNC_FAILURE -> "async failure " + code;
            case ASYNC_SUPERSEDED -> "async operation superseded";
            case NEVER_ENDS -> "operation never ends";
            case NEXT_LINK_TO_ITSELF -> "nextLink to itself";
        };
        return "Fault[" + method + " " + description + " -> " + what + ", times=" + times + "]";
    }
}
