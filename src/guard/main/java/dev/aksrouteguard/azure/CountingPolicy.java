package dev.aksrouteguard.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.port.ArmTraffic;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/** Counts every ARM request that goes on the wire (each retry and each operation poll included). */
final class CountingPolicy implements HttpPipelinePolicy, ArmTraffic {

    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        count(context.getHttpRequest().getHttpMethod());
        return next.process();
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        count(context.getHttpRequest().getHttpMethod());
        return next.processSync();
    }

    private void count(HttpMethod method) {
        if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
            reads.incrementAndGet();
        } else {
            writes.incrementAndGet();
        }
    }

    @Override
    public CallCount snapshot() {
        return new CallCount(reads.get(), writes.get());
    }
}
