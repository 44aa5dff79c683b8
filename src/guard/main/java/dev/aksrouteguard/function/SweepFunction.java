package dev.aksrouteguard.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The timer-triggered drift sweep, the backstop for late or lost events. The schedule is the app setting
 * {@code SWEEP_SCHEDULE} (NCRONTAB, bound as {@code %SWEEP_SCHEDULE%}).
 */
public final class SweepFunction {

    public static final String NAME = "DriftSweep";

    /** How long an invocation waits for its summary alert before returning. */
    static final Duration ALERT_FLUSH = Duration.ofSeconds(30);

    private final Supplier<Wiring> wiring;

    public SweepFunction() {
        this(Wiring::shared);
    }

    /** A function over a given object graph (the tests). */
    public static SweepFunction over(Wiring wiring) {
        Objects.requireNonNull(wiring, "wiring == null");
        return new SweepFunction(() -> wiring);
    }

    SweepFunction(Supplier<Wiring> wiring) {
        this.wiring = Objects.requireNonNull(wiring, "wiring == null");
    }

    @FunctionName(NAME)
    public void run(@TimerTrigger(name = "timer", schedule = "%SWEEP_SCHEDULE%") String timer, ExecutionContext context) {
        Logger log = context.getLogger();
        if (TimerInfo.parse(timer).pastDue()) {
            log.info("sweep is running late (the timer was past due)");
        }
        Wiring w = wiring.get();
        String alertsProblem = w.settings().alertsProblem();
        if (alertsProblem != null) {
            log.warning(alertsProblem); // at every sweep, so that the health alert on failures keeps firing until it is fixed
        }
        SweepReport report = w.guard().sweep(w.settings().sweepTimeBudget());
        report.writeTo(log);
        AlertFlush.await(w.alerts(), ALERT_FLUSH, log);
    }
}
