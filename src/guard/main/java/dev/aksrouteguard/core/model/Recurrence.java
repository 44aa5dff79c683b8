package dev.aksrouteguard.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How often one subnet has been stripped lately, from the repair history: when it reaches the threshold within the
 * window ({@code RECURRENCE_THRESHOLD} within {@code RECURRENCE_WINDOW_DAYS}) the alert escalates, because repairing it
 * again will not stop the next IaC run from stripping it again.
 *
 * @param count strips recorded within the window (this one included)
 * @param last the most recent strip, when any is recorded (it may be older than the window)
 */
public record Recurrence(int count, @Nullable Strip last, Policy policy) {

    public Recurrence {
        Objects.requireNonNull(policy, "policy == null");
        if (count < 0) {
            throw new IllegalArgumentException("count < 0");
        }
    }

    /** {@code RECURRENCE_THRESHOLD} strips within {@code RECURRENCE_WINDOW_DAYS} escalate. */
    public record Policy(int threshold, Duration window) {

        public static final Policy DEFAULT = new Policy(3, Duration.ofDays(7));

        public Policy {
            Objects.requireNonNull(window, "window == null");
            if (threshold < 1) {
                throw new IllegalArgumentException("threshold < 1");
            }
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("window must be positive");
            }
        }

        /** "this week" for seven days, else "in the last 3 days". */
        public String windowWords() {
            long days = window.toDays();
            if (days == 7 && window.equals(Duration.ofDays(7))) {
                return "this week";
            }
            return days >= 1 && window.equals(Duration.ofDays(days)) ? "in the last " + days + (days == 1 ? " day" : " days")
                    : "in the last " + window.toHours() + " h";
        }
    }

    /** True when the subnet keeps being stripped: the fix belongs in the IaC. */
    public boolean escalates() {
        return count >= policy.threshold();
    }

    /** "stripped 4 times this week, last by service principal sp-terraform (app …) (deployment vnet-42 in resource group rg-app)". */
    public String describe() {
        String times = count == 1 ? "once" : count + " times";
        return "stripped " + times + " " + policy.windowWords() + (last == null ? "" : ", last by " + last.describe());
    }
}
