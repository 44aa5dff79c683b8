package dev.aksrouteguard.teams;

import static dev.aksrouteguard.teams.Fixtures.subnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A sweep's claims are matched to its findings by the finding itself, whatever order the memory answers in. */
class SweepSummaryTest {

    private final Outcome conflictA = Fixtures.conflict(subnet("snet-a"));
    private final Outcome failedB = Fixtures.forbidden(subnet("snet-b"), "r-1");
    private final Outcome driftC = Fixtures.driftReported(subnet("snet-c"), Fixtures.sweepTrigger());
    private final Outcome notReachedD = Fixtures.driftReported(subnet("snet-d"), Fixtures.sweepTrigger());
    private final SweepReport report = new SweepReport(Fixtures.STARTED, Fixtures.FINISHED, Mode.ENFORCE,
            List.of(conflictA, Fixtures.reassociated(subnet("snet-r")), failedB, Fixtures.inSync(subnet("snet-s")), driftC),
            List.of(notReachedD), new CallCount(9, 1), null);
    private final SweepSummary summary = SweepSummary.of(report, Fixtures.SUBSCRIPTION);

    private static AlertMemory.Claim send(Finding f) {
        return new AlertMemory.Claim(f, AlertMemory.Decision.FIRST, Fixtures.FINISHED, "claim-1");
    }

    private static AlertMemory.Claim suppress(Finding f) {
        return AlertMemory.Claim.suppressed(f, Fixtures.FINISHED);
    }

    @Test
    void eachFindingOfTheSweepIsClaimedOnceAndResolvedSubjectsAreTheSubnetsInSyncOrRepaired() {
        assertEquals(List.of(Finding.of(conflictA), Finding.of(failedB), Finding.of(driftC), Finding.notReached(notReachedD)),
                summary.findings());
        assertEquals(Set.of(Finding.subject(subnet("snet-r")), Finding.subject(subnet("snet-s")),
                Finding.sweepSubject(Fixtures.SUBSCRIPTION)), summary.resolvedSubjects());
    }

    @Test
    void claimsInAnyOrderListExactlyTheFindingsTheyAreFor() {
        List<AlertMemory.Claim> claims = new ArrayList<>(List.of(suppress(Finding.of(conflictA)), send(Finding.of(failedB)),
                suppress(Finding.of(driftC)), send(Finding.notReached(notReachedD))));
        Collections.reverse(claims); // an order other than the findings'

        SweepSummary.News news = summary.news(claims);

        assertEquals(List.of("snet-r", "snet-b"), news.card().listed().stream().map(o -> o.subnet().name()).toList(),
                "the repair, then the one problem that is news: snet-b, never the suppressed snet-a or snet-c");
        assertEquals(List.of(notReachedD), news.card().notReached());
        assertEquals(2, news.card().alreadyAlerted());
        assertEquals(List.of("claim-1"), news.claimIds());
    }

    @Test
    void aClaimForAFindingTheSweepDidNotReportIsAnError() {
        List<AlertMemory.Claim> claims = List.of(send(Finding.of(conflictA)), send(Finding.of(failedB)),
                send(Finding.of(Fixtures.conflict(subnet("snet-elsewhere")))), send(Finding.notReached(notReachedD)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> summary.news(claims));
        assertTrue(e.getMessage().contains("did not report"), e.getMessage());
    }

    @Test
    void aMissingOrRepeatedClaimIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> summary.news(List.of(send(Finding.of(conflictA)))));
        assertThrows(IllegalArgumentException.class, () -> summary.news(List.of(send(Finding.of(conflictA)),
                send(Finding.of(conflictA)), send(Finding.of(failedB)), send(Finding.of(driftC)))));
    }

    @Test
    void aSweepThatCouldNotRunIsOneFindingAndResolvesNothing() {
        SweepReport broken = new SweepReport(Fixtures.STARTED, Fixtures.FINISHED, Mode.ENFORCE, List.of(), List.of(),
                new CallCount(1, 0), "could not list the subscription's clusters: AuthorizationFailed");
        SweepSummary s = SweepSummary.of(broken, Fixtures.SUBSCRIPTION);

        assertEquals(1, s.findings().size());
        assertEquals(Set.of(), s.resolvedSubjects());
        assertTrue(s.news(List.of(send(s.findings().get(0)))).card().errorIsNews());
    }
}
