package dev.aksrouteguard.teams;

import dev.aksrouteguard.core.model.Nullable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What has been alerted already, so that an unresolved finding is alerted at most once per repeat window, across
 * function instances and restarts. Implementations never throw: when they cannot tell, they say "send" (fail open).
 */
interface AlertMemory {

    /** Claims the right to alert {@code finding} now, or says it was alerted within the window. */
    Claim claim(Finding finding, Instant now);

    /**
     * The sweep's batch: forgets every finding about {@code resolvedSubjects}, then claims each of {@code findings},
     * with one listing of the memory instead of a read per finding.
     */
    List<Claim> claimAll(List<Finding> findings, Set<String> resolvedSubjects, Instant now);

    /** Forgets every finding about {@code subject}: it was resolved, so a recurrence is alerted at once. */
    void forget(String subject);

    /** Gives a claim back after its alert could not be delivered, so the next occurrence tries again. */
    void release(Claim claim);

    /** True when findings are remembered (repeat suppression is on). */
    boolean remembers();

    /** For the one line that says how alerts are sent. */
    String describe();

    /** No storage: every finding is alerted every time. */
    AlertMemory NONE = new AlertMemory() {
        @Override
        public Claim claim(Finding finding, Instant now) {
            return Claim.unrecorded(finding, now);
        }

        @Override
        public List<Claim> claimAll(List<Finding> findings, Set<String> resolvedSubjects, Instant now) {
            return findings.stream().map(f -> Claim.unrecorded(f, now)).toList();
        }

        @Override
        public void forget(String subject) {}

        @Override
        public void release(Claim claim) {}

        @Override
        public boolean remembers() {
            return false;
        }

        @Override
        public String describe() {
            return "repeat suppression off (no AzureWebJobsStorage): every finding is alerted each time it is seen";
        }
    };

    /** What the memory decided about one finding. */
    enum Decision {
        /** Not alerted before (or resolved since): send, and it is now remembered. */
        FIRST,
        /** Alerted before, longer ago than the repeat window: send again. */
        REPEAT,
        /** Alerted within the window (here or by another instance): do not send. */
        SUPPRESS,
        /** The memory cannot tell (no storage, or unreachable): send. */
        UNRECORDED;

        boolean send() {
            return this != SUPPRESS;
        }
    }

    /**
     * @param firstSeen when the finding was first alerted (for "unresolved since"), when known
     * @param claimedAt the alert time written to the memory by this claim
     * @param previousAlertedAt the alert time this claim replaced (a {@link Decision#REPEAT}), for a release
     */
    record Claim(Finding finding, Decision decision, @Nullable Instant firstSeen, Instant claimedAt,
            @Nullable Instant previousAlertedAt) {

        public Claim {
            Objects.requireNonNull(finding, "finding == null");
            Objects.requireNonNull(decision, "decision == null");
            Objects.requireNonNull(claimedAt, "claimedAt == null");
        }

        static Claim unrecorded(Finding finding, Instant now) {
            return new Claim(finding, Decision.UNRECORDED, null, now, null);
        }
    }
}
