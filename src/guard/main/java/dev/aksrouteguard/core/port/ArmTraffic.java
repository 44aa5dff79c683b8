package dev.aksrouteguard.core.port;

import dev.aksrouteguard.core.model.CallCount;

/** Port: how many ARM calls this process has made so far, for the sweep's summary line and the benchmarks. */
public interface ArmTraffic {

    /** Counts since the process started; subtract two snapshots for a span. */
    CallCount snapshot();

    /** For cores run without an ARM adapter (tests). */
    ArmTraffic NONE = () -> CallCount.ZERO;
}
