package dev.aksrouteguard.teams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.testing.TestSecrets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sweep card of a guard of several subscriptions: one line per subscription, the unreadable and the unreached
 * first, each saying what happened to it; and each of them is a finding of its own, so the card is sent for it.
 */
class SweepCardSubscriptionsTest {

    static final String A = Fixtures.SUBSCRIPTION;
    static final String B = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
    static final String C = "7a3c9e51-6d2f-4b8a-9c1e-2f4d6b8a0c3e";

    /** B answered 403 with a message that quotes a SAS URL; C was never reached; A has one drifted subnet. */
    private final Outcome drifted = Fixtures.driftReported(Fixtures.subnet("snet-a"), Fixtures.sweepTrigger());
    private final Outcome inSync = Fixtures.inSync(SubnetId.of(A, "rg-net", "vnet-spoke", "snet-ok"));
    private final String forbidden = "list managed clusters of subscription " + B + " failed: HTTP 403 AuthorizationFailed: see "
            + "https://logs.blob.core.windows.net/x?sv=2024&" + "s" + "ig=" + TestSecrets.SAS_SIGNATURE;
    private final SweepReport report = new SweepReport(Fixtures.STARTED, Fixtures.FINISHED, Mode.REPORT, List.of(drifted, inSync),
            List.of(), new CallCount(7, 0), null, List.of(new SweepReport.Subscription(A, "Team A", null, true),
                    new SweepReport.Subscription(B, "Payments", forbidden, true), new SweepReport.Subscription(C, "Team C", null, false)));

    private static String factOf(CardContent card, String label) {
        return card.facts().stream().filter(f -> f.label().equals(label)).map(CardContent.Fact::value).findFirst()
                .orElseThrow(() -> new AssertionError("no fact " + label + " in " + card.facts()));
    }

    @Test
    void eachSubscriptionHasItsLineTheUnreadableAndUnreachedFirst() {
        CardContent card = CardText.sweep(report, CardText.SweepNews.all(report), Fixtures.context(Duration.ofHours(24)));

        List<String> labels = card.facts().stream().map(CardContent.Fact::label).filter(l -> l.contains("(")).toList();
        assertEquals(List.of("Payments (" + B + ")", "Team C (" + C + ")", "Team A (" + A + ")"), labels);
        assertTrue(factOf(card, "Payments (" + B + ")").startsWith("could not be read, not swept: list managed clusters of subscription "
                + B + " failed: HTTP 403"), factOf(card, "Payments (" + B + ")"));
        assertEquals("not reached (the time budget ran out; the next sweep sweeps it)", factOf(card, "Team C (" + C + ")"));
        assertEquals("1 drift-reported, 1 in-sync", factOf(card, "Team A (" + A + ")"));
        assertEquals("Drift sweep (report mode): 1 drift-reported of 2 node subnets, 1 subscription unreadable, 1 subscription not reached",
                card.title());
        assertEquals(CardContent.Tone.ATTENTION, card.tone(), "a subscription that could not be read needs a person");
        assertTrue(card.notes().stream().anyMatch(n -> n.label().equals("Next step") && n.value().contains("aks-route-guard role")),
                card.notes().toString());
        assertFalse(card.toString().contains(TestSecrets.SAS_SIGNATURE), "the quoted signature is masked");
    }

    @Test
    void theUnreadableAndTheUnreachedSubscriptionAreFindingsAndOnlyTheSweptOneIsResolved() {
        SweepSummary summary = SweepSummary.of(report, A);

        List<Finding> findings = summary.findings();
        assertTrue(findings.contains(Finding.of(drifted)), findings.toString());
        assertTrue(findings.contains(Finding.sweepError(B, report.subscriptions().get(1).error())), findings.toString());
        assertTrue(findings.contains(Finding.sweepError(C, SweepSummary.NOT_REACHED)), findings.toString());
        assertEquals(3, findings.size(), findings.toString());
        assertTrue(summary.resolvedSubjects().contains(Finding.sweepSubject(A)));
        assertFalse(summary.resolvedSubjects().contains(Finding.sweepSubject(C)), "not reached says nothing about C");
        assertFalse(summary.resolvedSubjects().contains(Finding.sweepSubject(B)));
    }

    @Test
    void bothCardFormatsCarryEverySubscriptionLine() {
        for (String format : List.of("adaptive", "messagecard")) {
            String json = TeamsMessages.render(report, Fixtures.settings(Map.of(Settings.TEAMS_CARD_FORMAT, format)));

            assertTrue(json.contains("Payments (" + B + ")") && json.contains("could not be read, not swept"), format + ": " + json);
            assertTrue(json.contains("Team C (" + C + ")") && json.contains("not reached (the time budget ran out"), format);
            assertTrue(json.contains("1 drift-reported, 1 in-sync"), format);
            assertFalse(json.contains(TestSecrets.SAS_SIGNATURE), format);
        }
    }

    @Test
    void aFailedDiscoveryIsANoteOnTheCardAndAFindingOfTheScope() {
        SweepReport stale = new SweepReport(Fixtures.STARTED, Fixtures.FINISHED, Mode.ENFORCE, List.of(inSync), List.of(),
                new CallCount(4, 0), null, List.of(new SweepReport.Subscription(A, "Team A", null, true)),
                "list the subscriptions below management group lz failed: HTTP 403 AuthorizationFailed");

        CardContent card = CardText.sweep(stale, CardText.SweepNews.all(stale), Fixtures.context(Duration.ofHours(24)));

        assertTrue(card.notes().stream().anyMatch(n -> n.label().equals("Stale subscriptions")
                && n.value().contains("swept the 1 known before") && n.value().contains("403")), card.notes().toString());
        assertEquals(CardContent.Tone.WARNING, card.tone());
        assertTrue(SweepSummary.of(stale, "managementGroup:lz").findings()
                .contains(Finding.sweepError("managementGroup:lz" + SweepSummary.DISCOVERY, stale.discoveryProblem())));
    }
}
