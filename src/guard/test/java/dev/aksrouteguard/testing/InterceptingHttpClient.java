package dev.aksrouteguard.testing;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import reactor.core.publisher.Mono;

/**
 * The production HTTP client with a hook before each request, on the thread that sends it (async or sync): the tests
 * that hold ARM listings to see what runs side by side, or what waits for what, subclass it with their own
 * {@link #before}.
 */
public abstract class InterceptingHttpClient implements HttpClient {

    /** Where requests go once {@link #before} returns; set before the first request. */
    public HttpClient delegate;

    protected InterceptingHttpClient() {}

    protected InterceptingHttpClient(HttpClient delegate) {
        this.delegate = delegate;
    }

    /** Runs before {@code request} is sent; may block (hold) it. */
    protected abstract void before(HttpRequest request);

    @Override
    public final Mono<HttpResponse> send(HttpRequest request) {
        return send(request, Context.NONE);
    }

    @Override
    public final Mono<HttpResponse> send(HttpRequest request, Context context) {
        return Mono.defer(() -> {
            before(request);
            return delegate.send(request, context);
        });
    }

    @Override
    public final HttpResponse sendSync(HttpRequest request, Context context) {
        before(request);
        return delegate.sendSync(request, context);
    }
}
