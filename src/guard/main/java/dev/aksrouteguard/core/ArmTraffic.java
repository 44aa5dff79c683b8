package dev.aksrouteguard.core;

/** Port: how many ARM calls this process has made so far, for the sweep's summary line and the benchmarks. */
public interface ArmTraffic {

    /** Counts since the process started; subtract two snapshots for a span. */
    Calls snapshot();

    /** ARM calls: reads (GET, including long-running-operation polls) and writes (PUT, PATCH, POST, DELETE). */
    record Calls(long reads, long writes) {
        public Calls minus(Calls before) {
            return new Calls(reads - before.reads, writes - before.writes);
        }
    }

    /** For cores run without an ARM adapter (tests). */
    ArmTraffic NONE = () -> new Calls(0, 0);
}
