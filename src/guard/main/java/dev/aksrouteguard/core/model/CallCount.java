package dev.aksrouteguard.core.model;

/** ARM calls made in a span: reads (GET, including long-running-operation polls) and writes (PUT, PATCH, POST, DELETE). */
public record CallCount(long reads, long writes) {

    public static final CallCount ZERO = new CallCount(0, 0);

    public CallCount minus(CallCount before) {
        return new CallCount(reads - before.reads, writes - before.writes);
    }
}
