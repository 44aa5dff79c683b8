package dev.aksrouteguard.teams;

import dev.aksrouteguard.core.model.Nullable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * What has been alerted already, so that an unresolved finding is alerted at most once per repeat window, across
 * function instances and restarts. Implementations never throw: when they cannot tell, they say "send" (fail open).
 *
 * <p>Every claim that sends is tagged with a claim ID ({@link Claim#claimId()}); one ID covers every claim of one
 * alert (all the findings of a sweep summary). If the alert is never delivered, {@link #release(String)} with that ID
 * gives the claims back, so the next occurrence is alerted. The ID is all a queued alert needs to carry for that:
 * however many findings a sweep claimed, the message stays small.
 */
interface AlertMemory {

    /** Claims the right to alert {@code finding} now, or says it was alerted within the window. */
    Claim claim(Finding finding, Instant now);

    /**
     * The sweep's batch: forgets every finding about {@code resolvedSubjects}, then claims each of {@code findings}
     * (under one claim ID), with one listing of the memory instead of a read per finding. The claims are in no
     * particular order: match them by {@link Claim#finding()}.
     */
    List<Claim> claimAll(List<Finding> findings, Set<String> resolvedSubjects, Instant now);

    /** Forgets every finding about {@code subject}: it was resolved, so a recurrence is alerted at once. */
    void forget(String subject);

    /**
     * Gives back every claim made under {@code claimId} that no later claim replaced, after its alert could not be
     * delivered, so the next occurrence tries again.
     */
    void release(String claimId);

    /** True when findings are remembered (repeat suppression is on). */
    boolean remembers();

    /** For the one line that says how alerts are sent. */
    String describe();

    /** A fresh claim ID. */
    static String newClaimId() {
        return UUID.randomUUID().toString();
    }

    /** No storage: every finding is alerted every time. */
    AlertMemory NONE = new AlertMemory() {
        @Override
        public Claim claim(Finding finding, Instant now) {
            return Claim.unrecorded(finding);
        }

        @Override
        public List<Claim> claimAll(List<Finding> findings, Set<String> resolvedSubjects, Instant now) {
            return findings.stream().map(Claim::unrecorded).toList();
        }

        @Override
        public void forget(String subject) {}

        @Override
        public void release(String claimId) {}

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
     * @param claimId what {@link #release(String)} takes to give this claim back; null when nothing was recorded
     *     ({@link Decision#SUPPRESS}, {@link Decision#UNRECORDED})
     */
    record Claim(Finding finding, Decision decision, @Nullable Instant firstSeen, @Nullable String claimId) {

        public Claim {
            Objects.requireNonNull(finding, "finding == null");
            Objects.requireNonNull(decision, "decision == null");
        }

        static Claim unrecorded(Finding finding) {
            return new Claim(finding, Decision.UNRECORDED, null, null);
        }

        static Claim suppressed(Finding finding, @Nullable Instant firstSeen) {
            return new Claim(finding, Decision.SUPPRESS, firstSeen, null);
        }
    }
}
