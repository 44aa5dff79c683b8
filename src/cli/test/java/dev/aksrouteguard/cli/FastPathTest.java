package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.aksrouteguard.wiring.Wiring;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The fast path reads an argument list only when picocli would read it the same way, and leaves every other list to
 * picocli: for each list it takes, the command and its fields equal what picocli makes of the same list.
 */
class FastPathTest {

    static final String SUBNET = "/subscriptions/9b2f6c1e-4d3a-4e8b-a7c5-1f0e2d3c4b5a/resourceGroups/rg/providers/"
            + "Microsoft.Network/virtualNetworks/v/subnets/s";

    static Stream<Arguments> taken() {
        return lists(
                new String[] {"handle-event", "delivery.json"},
                new String[] {"handle-event", "-"},
                new String[] {"-v", "handle-event", "delivery.json", "--json", "--no-alerts"},
                new String[] {"handle-event", "--json", "delivery.json", "-v"},
                new String[] {"handle-event", "--no-alerts", "a file with spaces.json", "--verbose"},
                new String[] {"handle-event", "sweep"},
                new String[] {"handle-event", "--time-limit", "PT30S", "delivery.json"},
                new String[] {"-v", "handle-event", "delivery.json", "--json", "--time-limit", "PT2M", "--no-alerts"},
                new String[] {"handle-event", "-", "--time-limit", "soon"},
                new String[] {"--verbose", "reconcile", SUBNET, "--json"},
                new String[] {"reconcile", "not-an-id"},
                new String[] {"sweep"},
                new String[] {"sweep", "--json", "--no-alerts", "-v"},
                new String[] {"audit"},
                new String[] {"audit", "--markdown", "--fail-on-drift"},
                new String[] {"audit", "--json"},
                new String[] {"-v", "audit", "--fail-on-drift", "--json"});
    }

    static Stream<Arguments> leftToPicocli() {
        return lists(
                new String[] {},
                new String[] {"--help"},
                new String[] {"-h"},
                new String[] {"--version"},
                new String[] {"-V"},
                new String[] {"help", "audit"},
                new String[] {"demo"},
                new String[] {"emulator", "--once"},
                new String[] {"unknown"},
                new String[] {"-v"},
                new String[] {"-v", "-v", "sweep"},
                new String[] {"-vh", "sweep"},
                new String[] {"handle-event"},
                new String[] {"handle-event", "a.json", "b.json"},
                new String[] {"handle-event", "--json", "--json", "a.json"},
                new String[] {"handle-event", "--json=true", "a.json"},
                new String[] {"handle-event", "--", "a.json"},
                new String[] {"handle-event", "@args.txt"},
                new String[] {"handle-event", "-x", "a.json"},
                new String[] {"handle-event", ""},
                new String[] {"handle-event", "--help"},
                new String[] {"handle-event", "a.json", "--time-limit"},
                new String[] {"handle-event", "--time-limit", "--json", "a.json"},
                new String[] {"handle-event", "--time-limit", "", "a.json"},
                new String[] {"handle-event", "--time-limit", "-PT1S", "a.json"},
                new String[] {"handle-event", "--time-limit", "@limit.txt", "a.json"},
                new String[] {"handle-event", "--time-limit=PT30S", "a.json"},
                new String[] {"handle-event", "--time-limit", "PT1S", "--time-limit", "PT2S", "a.json"},
                new String[] {"reconcile", "--time-limit", "PT1S", SUBNET},
                new String[] {"sweep", "--time-limit", "PT1S"},
                new String[] {"reconcile"},
                new String[] {"reconcile", "--no-alerts"},
                new String[] {"sweep", "extra"},
                new String[] {"sweep", "--fail-on-drift"},
                new String[] {"audit", "--json", "--markdown"},
                new String[] {"audit", "--no-alerts"},
                new String[] {"audit", "--fail-on-drift", "--fail-on-drift"});
    }

    /** Each list one argument (a String[] alone would be spread over the test's parameters). */
    static Stream<Arguments> lists(String[]... lists) {
        return Stream.of(lists).map(l -> Arguments.of((Object) l));
    }

    static Main main() {
        return new Main(Map.of(), new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), Wiring.Options.production());
    }

    @ParameterizedTest
    @MethodSource("taken")
    void whatTheFastPathTakesItReadsAsPicocliDoes(String[] args) {
        Main fast = main();
        Callable<Integer> command = FastPath.parse(fast, args);
        assertNotNull(command, String.join(" ", args));

        Main slow = main();
        CommandLine.ParseResult parsed = new CommandLine(slow).parseArgs(args);
        Object picocli = parsed.subcommand().commandSpec().userObject();

        assertEquals(describe(picocli, slow), describe(command, fast), String.join(" ", args));
    }

    @ParameterizedTest
    @MethodSource("leftToPicocli")
    void everythingElseIsLeftToPicocli(String[] args) {
        assertNull(FastPath.parse(main(), args), String.join(" ", args));
    }

    /** The command's class and every field a command line sets. */
    static String describe(Object command, Main main) {
        String common = command.getClass().getSimpleName() + " verbose=" + main.verbose;
        if (command instanceof Main.HandleEvent h) {
            return common + " file=" + h.file + " json=" + h.run.json + " noAlerts=" + h.run.noAlerts + " timeLimit=" + h.timeLimit
                    + " main=" + (h.main == main);
        }
        if (command instanceof Main.Reconcile r) {
            return common + " subnet=" + r.subnetId + " json=" + r.run.json + " noAlerts=" + r.run.noAlerts + " main=" + (r.main == main);
        }
        if (command instanceof Main.Sweep s) {
            return common + " json=" + s.run.json + " noAlerts=" + s.run.noAlerts + " main=" + (s.main == main);
        }
        if (command instanceof Main.Audit a) {
            return common + " json=" + a.format.json + " markdown=" + a.format.markdown + " failOnDrift=" + a.failOnDrift
                    + " main=" + (a.main == main);
        }
        return common;
    }
}
