package dev.aksrouteguard.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.aksrouteguard.core.model.ArmException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * A credential that hands out a token within a deadline or fails with a clear message. A managed-identity endpoint
 * that accepts the connection and never answers would otherwise hold every ARM call behind it (azure-identity retries
 * the endpoint, and its HTTP timeouts are generous). Tokens are cached by the pipeline, so this costs a thread hand-off
 * only when a token is fetched.
 */
final class BoundedCredential implements TokenCredential {

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService FETCHERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "arm-token-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private final TokenCredential inner;
    private final Duration deadline;

    BoundedCredential(TokenCredential inner, Duration deadline) {
        this.inner = Objects.requireNonNull(inner, "inner == null");
        this.deadline = Objects.requireNonNull(deadline, "deadline == null");
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.defer(() -> inner.getToken(request)).timeout(deadline, Mono.error(this::tooSlow));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        Future<AccessToken> token = FETCHERS.submit(() -> inner.getTokenSync(request));
        try {
            return token.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            token.cancel(true);
            throw tooSlow();
        } catch (InterruptedException e) {
            token.cancel(true);
            Thread.currentThread().interrupt();
            throw new ArmException(ArmException.Kind.TRANSIENT, 0, null, "interrupted while waiting for an access token",
                    null, null, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("the credential failed: " + cause, cause);
        }
    }

    private ArmException tooSlow() {
        return new ArmException(ArmException.Kind.TRANSIENT, 0, null, "no access token within " + Durations.text(deadline)
                + ": the credential (the managed-identity endpoint in Azure, az login or environment credentials locally)"
                + " did not answer; no ARM call was made", null, null, null);
    }
}
