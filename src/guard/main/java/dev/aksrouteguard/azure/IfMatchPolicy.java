package dev.aksrouteguard.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import reactor.core.publisher.Mono;

/**
 * Sends {@code If-Match} on the subnet PUT only. The generated Subnets client has no etag parameter; the etag rides
 * in the call's {@code Context} under {@link #ETAG}. It is not put on the operation polls or the final GET, which
 * share that context and would carry a stale etag after the write.
 */
final class IfMatchPolicy implements HttpPipelinePolicy {

    static final String ETAG = "aks-route-guard-if-match";

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        apply(context);
        return next.process();
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        apply(context);
        return next.processSync();
    }

    private static void apply(HttpPipelineCallContext context) {
        if (context.getHttpRequest().getHttpMethod() != HttpMethod.PUT) {
            return;
        }
        context.getData(ETAG).ifPresent(etag -> context.getHttpRequest().setHeader(com.azure.core.http.HttpHeaderName.IF_MATCH, etag.toString()));
    }
}
