package dev.aksrouteguard.teams;

import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A sweep, as the alerting sees it: the findings it reports (each problem outcome, each subnet it did not reach, the
 * error that stopped it), the subjects it saw resolved, and, once the memory has claimed the findings, the news for
 * the summary card.
 *
 * <p>Claims are matched to what they are about by their {@link Finding}, never by position: whatever order the
 * memory answers in, each listed subnet is the one its claim is for, and a claim for a finding this sweep did not
 * report is an error, not a mislabelled line.
 */
final class SweepSummary {

    /** What a finding stands for on the card. */
    private sealed interface Source {
        record Problem(Outcome outcome) implements Source {}

        record NotReached(Outcome outcome) implements Source {}

        record SweepError() implements Source {}
    }

    /** The card's news, and the claim IDs to release if the card is never delivered. */
    record News(CardText.SweepNews card, List<String> claimIds) {
        News {
            Objects.requireNonNull(card, "card == null");
            claimIds = List.copyOf(claimIds);
        }
    }

    private final Map<Finding, Source> findings;
    private final Set<String> resolved;
    private final List<Outcome> repaired;

    private SweepSummary(Map<Finding, Source> findings, Set<String> resolved, List<Outcome> repaired) {
        this.findings = findings;
        this.resolved = resolved;
        this.repaired = repaired;
    }

    /** The reason of the finding of a subscription the sweep's time budget did not reach. */
    static final String NOT_REACHED = "not reached: the time budget ran out";

    /** The suffix of the scope's key for the finding of a failed discovery of its subscriptions. */
    static final String DISCOVERY = ":discovery";

    /** How a management group's scope key begins (SubscriptionScope#key). */
    private static final String MANAGEMENT_GROUP_KEY = "managementGroup:";

    /** @param scopeKey the guard's scope as a key: a sweep that could not run at all is its finding */
    static SweepSummary of(SweepReport report, String scopeKey) {
        Objects.requireNonNull(report, "report == null");
        Objects.requireNonNull(scopeKey, "scopeKey == null");
        Map<Finding, Source> findings = new LinkedHashMap<>();
        Set<String> resolved = new LinkedHashSet<>();
        List<Outcome> repaired = new ArrayList<>();
        for (Outcome o : report.outcomes()) {
            switch (o.action()) {
                case IN_SYNC -> resolved.add(Finding.subject(o.subnet()));
                case REASSOCIATED -> {
                    resolved.add(Finding.subject(o.subnet()));
                    repaired.add(o);
                }
                case IGNORED -> { }
                default -> findings.putIfAbsent(Finding.of(o), new Source.Problem(o));
            }
        }
        for (Outcome o : report.notReached()) {
            findings.putIfAbsent(Finding.notReached(o), new Source.NotReached(o));
        }
        if (report.error() == null) {
            resolved.add(Finding.sweepSubject(scopeKey));
            // One subscription that could not be read, or was not reached, is a finding of its own; the others were
            // swept. Only a subscription that was read resolves its finding: one not reached says nothing of its state.
            for (SweepReport.Subscription sub : report.subscriptions()) {
                if (sub.error() != null) {
                    findings.putIfAbsent(Finding.sweepError(sub.id(), sub.error()), new Source.SweepError());
                } else if (!sub.reached()) {
                    findings.putIfAbsent(Finding.sweepError(sub.id(), NOT_REACHED), new Source.SweepError());
                } else {
                    resolved.add(Finding.sweepSubject(sub.id()));
                }
            }
            // A management group that could not be discovered again: swept the list known before, which may be stale.
            String discovery = scopeKey + DISCOVERY;
            if (report.discoveryProblem() != null) {
                findings.putIfAbsent(Finding.sweepError(discovery, report.discoveryProblem()), new Source.SweepError());
            } else if (scopeKey.startsWith(MANAGEMENT_GROUP_KEY)) { // only a management group's list is discovered
                resolved.add(Finding.sweepSubject(discovery));
            }
        } else {
            findings.putIfAbsent(Finding.sweepError(scopeKey, report.error()), new Source.SweepError());
        }
        return new SweepSummary(findings, resolved, List.copyOf(repaired));
    }

    /** The findings to claim, each once. */
    List<Finding> findings() {
        return List.copyOf(findings.keySet());
    }

    /** The subjects the sweep saw in sync or repaired: their findings are forgotten. */
    Set<String> resolvedSubjects() {
        return Set.copyOf(resolved);
    }

    /**
     * What the card lists: every repair, and each finding whose claim says send; the others are counted as alerted
     * already.
     *
     * @throws IllegalArgumentException when {@code claims} is not exactly one claim per finding of this sweep
     */
    News news(List<AlertMemory.Claim> claims) {
        Map<Finding, AlertMemory.Claim> byFinding = new HashMap<>();
        for (AlertMemory.Claim claim : claims) {
            if (!findings.containsKey(claim.finding())) {
                throw new IllegalArgumentException("the alert memory answered for a finding this sweep did not report ("
                        + claim.finding().kind() + ")");
            }
            if (byFinding.put(claim.finding(), claim) != null) {
                throw new IllegalArgumentException("the alert memory answered twice for one finding ("
                        + claim.finding().kind() + ")");
            }
        }
        if (byFinding.size() != findings.size()) {
            throw new IllegalArgumentException("the alert memory answered for " + byFinding.size() + " of "
                    + findings.size() + " findings");
        }
        List<Outcome> listed = new ArrayList<>(repaired);
        List<Outcome> notReached = new ArrayList<>();
        Set<String> claimIds = new HashSet<>();
        boolean errorIsNews = false;
        int already = 0;
        for (Map.Entry<Finding, Source> e : findings.entrySet()) {
            AlertMemory.Claim claim = byFinding.get(e.getKey());
            if (!claim.decision().send()) {
                already++;
                continue;
            }
            if (claim.claimId() != null) {
                claimIds.add(claim.claimId());
            }
            Source source = e.getValue();
            if (source instanceof Source.Problem p) {
                listed.add(p.outcome());
            } else if (source instanceof Source.NotReached n) {
                notReached.add(n.outcome());
            } else {
                errorIsNews = true;
            }
        }
        return new News(new CardText.SweepNews(listed, notReached, errorIsNews, already), List.copyOf(claimIds));
    }
}
