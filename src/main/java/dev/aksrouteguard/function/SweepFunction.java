package dev.aksrouteguard.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;

/** The timer-triggered drift sweep. (Being built; see issue 3.) */
public final class SweepFunction {

    public static final String NAME = "DriftSweep";

    @FunctionName(NAME)
    public void run(@TimerTrigger(name = "timer", schedule = "%SWEEP_SCHEDULE%") String timer, ExecutionContext context) {
        throw new UnsupportedOperationException("not built yet");
    }
}
