package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The driver alone: scripted passes in, the outcome, the waits and the number of passes out. */
class RetryLoopTest {

    static final Instant T0 = World.T0;
    static final Duration S = Duration.ofSeconds(1);

    /** A scripted step: D done, T transient, T30 transient with Retry-After 30 s, C contention, R reread, F refresh. */
    static Step step(String code, Outcomes out) {
        return switch (code) {
            case "D" -> new Step.Done(out.draft(Action.IN_SYNC, "done").done());
            case "T" -> new Step.Retry(null, false, n -> out.failed("gave up after " + n).done());
            case "T3" -> new Step.Retry(Duration.ofSeconds(3), false, n -> out.failed("gave up after " + n).done());
            case "T30" -> new Step.Retry(Duration.ofSeconds(30), false, n -> out.failed("gave up after " + n).done());
            case "C" -> new Step.Retry(null, true, n -> out.draft(Action.DEFERRED, "busy after " + n).done());
            case "R" -> new Step.Reread(n -> out.failed("changed " + n).done());
            case "F" -> new Step.Refresh(n -> out.draft(Action.ROUTE_TABLE_MISSING, "missing").done());
            default -> throw new IllegalArgumentException(code);
        };
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a pass that is done at once returns its outcome", "D", 60, "in-sync done", List.of(), 1, 0),
                Arguments.of("two transient failures are waited out, 1 s then 2 s", "T T D", 60, "in-sync done", List.of(S, S.multipliedBy(2)), 3, 0),
                Arguments.of("Retry-After longer than the backoff wins", "T3 D", 60, "in-sync done", List.of(Duration.ofSeconds(3)), 2, 0),
                Arguments.of("a Retry-After beyond the cap is not waited for: handed on at once", "T30 D", 60, "failed gave up after 1",
                        List.of(), 1, 0),
                Arguments.of("transient failures give up after maxAttempts", "T T T T D", 60, "failed gave up after 4",
                        List.of(S, S.multipliedBy(2), S.multipliedBy(4)), 4, 0),
                Arguments.of("contention waits twice as long and gets two more tries", "C C D", 60, "in-sync done",
                        List.of(S.multipliedBy(2), S.multipliedBy(4)), 3, 0),
                Arguments.of("lasting contention defers, not fails", "C C C C C C D", 120, "deferred busy after 6",
                        List.of(S.multipliedBy(2), S.multipliedBy(4), S.multipliedBy(8), S.multipliedBy(16), S.multipliedBy(20)), 6, 0),
                Arguments.of("a 412 is read again at once", "R R D", 60, "in-sync done", List.of(), 3, 0),
                Arguments.of("a subnet that keeps changing gives up after five re-reads", "R R R R R R D", 60, "failed changed 6",
                        List.of(), 6, 0),
                Arguments.of("a vanished table refreshes the directory once", "F D", 60, "in-sync done", List.of(), 2, 1),
                Arguments.of("and is reported missing when it is still gone", "F F D", 60, "route-table-missing missing", List.of(), 2, 1),
                Arguments.of("a wait that would end after the deadline is not started", "T T D", 2, "failed gave up after 2",
                        List.of(S), 2, 0),
                Arguments.of("no re-read starts once the deadline has come", "T R D", 1, "failed changed 1", List.of(S), 2, 0),
                Arguments.of("no refresh starts once the deadline has come", "T F D", 1, "route-table-missing missing", List.of(S), 2, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theDriverAppliesOnePolicyPerStep(String sentence, String script, int deadlineSeconds, String expected, List<Duration> waits,
            int passes, int refreshes) {
        TestClock clock = TestClock.at(T0);
        List<Duration> slept = new ArrayList<>();
        Backoff backoff = new Backoff(4, S, Duration.ofSeconds(8), d -> {
            slept.add(d);
            clock.advance(d);
        });
        RetryLoop loop = new RetryLoop(backoff, clock, () -> 1.0);
        Outcomes out = new Outcomes(RulesTest.NODES, Mode.ENFORCE, new Trigger.Manual("test"), clock);
        Deque<String> steps = new ArrayDeque<>(List.of(script.split(" ")));
        int[] counted = new int[2];
        Outcome o = loop.run(() -> {
            counted[0]++;
            return step(steps.poll(), out);
        }, T0.plusSeconds(deadlineSeconds), () -> counted[1]++);
        assertEquals(expected, o.action().word() + " " + o.message(), sentence);
        assertEquals(waits, slept, sentence + ": waits");
        assertEquals(passes, counted[0], sentence + ": passes");
        assertEquals(refreshes, counted[1], sentence + ": refreshes");
    }

    @Test
    void eachContentionWaitTakesTheNextJitterFactorAndTransientWaitsTakeNone() {
        TestClock clock = TestClock.at(T0);
        List<Duration> slept = new ArrayList<>();
        Backoff backoff = new Backoff(4, S, Duration.ofSeconds(8), d -> {
            slept.add(d);
            clock.advance(d);
        });
        Deque<Double> jitter = new ArrayDeque<>(List.of(0.75, 1.2));
        RetryLoop loop = new RetryLoop(backoff, clock, jitter::poll);
        Outcomes out = new Outcomes(RulesTest.NODES, Mode.ENFORCE, new Trigger.Manual("test"), clock);
        Deque<String> steps = new ArrayDeque<>(List.of("C", "T", "C", "D"));

        Outcome o = loop.run(() -> step(steps.poll(), out), T0.plusSeconds(60), () -> { });

        assertEquals(Action.IN_SYNC, o.action());
        // contention: 2 s x 0.75, then 4 s x 1.2; the transient wait between them is the SDK's kind: 1 s, as is
        assertEquals(List.of(Duration.ofMillis(1500), S, Duration.ofMillis(4800)), slept);
        assertTrue(jitter.isEmpty(), "one factor per contention wait");
    }

    @Test
    void aJitteredWaitThatWouldEndAfterTheDeadlineIsNotStarted() {
        TestClock clock = TestClock.at(T0);
        List<Duration> slept = new ArrayList<>();
        Backoff backoff = new Backoff(4, S, Duration.ofSeconds(8), slept::add);
        RetryLoop loop = new RetryLoop(backoff, clock, () -> 1.249);
        Outcomes out = new Outcomes(RulesTest.NODES, Mode.ENFORCE, new Trigger.Manual("test"), clock);
        Deque<String> steps = new ArrayDeque<>(List.of("C", "D"));

        // the nominal 2 s wait fits a 2.4 s deadline; jittered to 2.498 s it does not
        Outcome o = loop.run(() -> step(steps.poll(), out), T0.plusMillis(2400), () -> { });

        assertEquals(Action.DEFERRED, o.action(), o.message());
        assertTrue(slept.isEmpty());
    }
}
