package dev.aksrouteguard.azure;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.RetryAfter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/**
 * The pipeline's retries, in place of azure-core's {@code RetryPolicy}, which honours any {@code Retry-After} in full
 * (a 429 storm with {@code Retry-After: 120} held one event for more than ten minutes). Retries what the Azure SDK
 * retries (408, 429, 5xx except 501 and 505, I/O errors and timeouts) with the SDK's exponential backoff (0.8 s,
 * doubling), but:
 *
 * <ul>
 *   <li>no single wait is longer than {@link ArmLimits#maxSingleWait()}: a {@code Retry-After} beyond it is not waited
 *       for, the response goes back at once (the adapter turns it into a {@code TRANSIENT} failure that carries the
 *       {@code Retry-After}, and the caller hands the work to its retry queue or the next sweep);</li>
 *   <li>no wait starts that would end after {@link ArmLimits#retryBudget()} from the first try.</li>
 * </ul>
 */
final class BoundedRetryPolicy implements HttpPipelinePolicy {

    static final Duration BASE_DELAY = Duration.ofMillis(800);
    private static final HttpHeaderName RETRY_AFTER_MS = HttpHeaderName.fromString("retry-after-ms");
    private static final HttpHeaderName X_MS_RETRY_AFTER_MS = HttpHeaderName.fromString("x-ms-retry-after-ms");

    private final ArmLimits limits;

    BoundedRetryPolicy(ArmLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits == null");
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        long start = System.nanoTime();
        for (int retry = 0; ; retry++) {
            HttpResponse response;
            try {
                response = next.clone().processSync();
            } catch (RuntimeException e) {
                Duration wait = waitAfter(e, retry, start);
                if (wait == null) {
                    throw e;
                }
                sleep(wait);
                continue;
            }
            Duration wait = waitAfter(response, retry, start);
            if (wait == null) {
                return response;
            }
            response.close();
            sleep(wait);
        }
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        return attempt(next, 0, System.nanoTime());
    }

    private Mono<HttpResponse> attempt(HttpPipelineNextPolicy next, int retry, long start) {
        return next.clone().process()
                .map(Try::ok)
                .onErrorResume(e -> Mono.just(Try.failed(e)))
                .flatMap(tried -> {
                    Duration wait = tried.response() != null
                            ? waitAfter(tried.response(), retry, start)
                            : waitAfter(tried.error(), retry, start);
                    if (wait == null) {
                        return tried.response() != null ? Mono.just(tried.response()) : Mono.error(tried.error());
                    }
                    if (tried.response() != null) {
                        tried.response().close();
                    }
                    return Mono.delay(wait).then(Mono.defer(() -> attempt(next, retry + 1, start)));
                });
    }

    private record Try(@Nullable HttpResponse response, @Nullable Throwable error) {
        static Try ok(HttpResponse response) {
            return new Try(response, null);
        }

        static Try failed(Throwable error) {
            return new Try(null, error);
        }
    }

    /** The wait before the next try after this response, or null to hand it back. */
    private @Nullable Duration waitAfter(HttpResponse response, int retry, long start) {
        if (retry >= limits.maxRetries() || !retriable(response.getStatusCode())) {
            return null;
        }
        Duration retryAfter = retryAfter(response.getHeaders());
        if (retryAfter != null && retryAfter.compareTo(limits.maxSingleWait()) > 0) {
            return null; // not waited for here: the caller decides when to come back
        }
        return withinBudget(retryAfter != null ? retryAfter : backoff(retry), start);
    }

    /** The wait before the next try after this error, or null to rethrow it. */
    private @Nullable Duration waitAfter(Throwable error, int retry, long start) {
        if (retry >= limits.maxRetries() || !retriable(error)) {
            return null;
        }
        return withinBudget(backoff(retry), start);
    }

    private @Nullable Duration withinBudget(Duration wait, long start) {
        Duration spent = Duration.ofNanos(System.nanoTime() - start);
        return spent.plus(wait).compareTo(limits.retryBudget()) > 0 ? null : wait;
    }

    private Duration backoff(int retry) {
        Duration exponential = BASE_DELAY.multipliedBy(1L << Math.min(retry, 16));
        Duration cap = limits.maxSingleWait().compareTo(Duration.ofSeconds(8)) < 0 ? limits.maxSingleWait() : Duration.ofSeconds(8);
        return exponential.compareTo(cap) > 0 ? cap : exponential;
    }

    /** What the Azure SDK retries: 408, 429 and 5xx except 501 (not implemented) and 505 (version not supported). */
    static boolean retriable(int status) {
        return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
    }

    /** I/O errors and timeouts, wherever in the chain; never our own failures (a token deadline already waited). */
    static boolean retriable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ArmException) {
                return false;
            }
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** {@code retry-after-ms}, {@code x-ms-retry-after-ms} or {@code Retry-After}, as azure-core reads them. */
    static @Nullable Duration retryAfter(HttpHeaders headers) {
        for (HttpHeaderName name : new HttpHeaderName[] {RETRY_AFTER_MS, X_MS_RETRY_AFTER_MS}) {
            String ms = headers.getValue(name);
            if (ms != null) {
                try {
                    long millis = Long.parseLong(ms.trim());
                    if (millis >= 0) {
                        return Duration.ofMillis(millis);
                    }
                } catch (NumberFormatException ignored) {
                    // fall through to the next header
                }
            }
        }
        return RetryAfter.parse(headers.getValue(HttpHeaderName.RETRY_AFTER));
    }

    private static void sleep(Duration wait) {
        if (wait.isZero()) {
            return;
        }
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArmException(ArmException.Kind.TRANSIENT, 0, null, "interrupted while waiting to retry", null, null, e);
        }
    }
}
