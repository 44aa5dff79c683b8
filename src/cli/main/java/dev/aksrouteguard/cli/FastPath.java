package dev.aksrouteguard.cli;

import dev.aksrouteguard.core.model.Nullable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The arguments of the commands that run on every pipeline and event — {@code handle-event} (with
 * {@code --time-limit DURATION}), {@code reconcile}, {@code sweep} and {@code audit}, with their flags — read without
 * picocli. picocli builds its model of every command by reflection and loads about 180 classes of a pre-Java-6 class
 * file format, which the JVM verifies slowly and cannot put in a class-data archive; on a cold start that is a tenth
 * of the CPU of a whole repair (docs/performance.md, "Cold start").
 *
 * <p>This is not a second parser with rules of its own: it takes only argument lists that picocli would read the same
 * way (every token a declared flag of the command, its positional parameter, {@code --time-limit} and its value as
 * the next token, or {@code -v}/{@code --verbose}, each at most once) and fills the same command objects picocli
 * would. Anything else — help, {@code --version}, unknown or repeated options, {@code --}, {@code @files},
 * {@code --flag=value}, clustered short options, a missing or extra parameter, the other commands — is left to
 * picocli, errors and usage messages included. {@code FastPathTest} checks the two agree.
 */
final class FastPath {

    private static final Set<String> VERBOSE = Set.of("-v", "--verbose");
    private static final String TIME_LIMIT = "--time-limit";

    private FastPath() {}

    /** The command {@code args} name, ready to call, or null when picocli must read them. */
    static @Nullable Callable<Integer> parse(Main main, String[] args) {
        if (args.length == 0) {
            return null;
        }
        boolean verbose = false;
        String command = null;
        int at = 0;
        for (; at < args.length; at++) {
            if (VERBOSE.contains(args[at])) {
                if (verbose) {
                    return null;
                }
                verbose = true;
            } else {
                command = args[at];
                break;
            }
        }
        if (command == null) {
            return null;
        }
        List<String> flags = switch (command) {
            case "handle-event", "reconcile", "sweep" -> List.of("--json", "--no-alerts");
            case "audit" -> List.of("--json", "--markdown", "--fail-on-drift");
            default -> null;
        };
        if (flags == null) {
            return null;
        }
        boolean wantsParameter = command.equals("handle-event") || command.equals("reconcile");
        Set<String> seen = new HashSet<>();
        String parameter = null;
        String timeLimit = null;
        for (int i = at + 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals(TIME_LIMIT) && command.equals("handle-event")) {
                // Its value as the next token, once; a value picocli might read otherwise (none, empty, an option,
                // an @file, a negative duration) is left to picocli. An ill-formed duration is refused later, by the
                // command itself, as it is when picocli reads it.
                if (timeLimit != null || i + 1 == args.length || !plainValue(args[i + 1])) {
                    return null;
                }
                timeLimit = args[++i];
            } else if (VERBOSE.contains(a)) {
                if (verbose) {
                    return null;
                }
                verbose = true;
            } else if (flags.contains(a)) {
                if (!seen.add(a)) {
                    return null;
                }
            } else if (a.equals("-") || plainValue(a)) {
                if (!wantsParameter || parameter != null) {
                    return null;
                }
                parameter = a;
            } else {
                return null;
            }
        }
        if (wantsParameter && parameter == null) {
            return null;
        }
        main.verbose = verbose;
        return switch (command) {
            case "handle-event" -> {
                Main.HandleEvent c = new Main.HandleEvent();
                c.main = main;
                c.file = parameter;
                c.run = runOptions(seen);
                c.timeLimit = timeLimit;
                yield c;
            }
            case "reconcile" -> {
                Main.Reconcile c = new Main.Reconcile();
                c.main = main;
                c.subnetId = parameter;
                c.run = runOptions(seen);
                yield c;
            }
            case "sweep" -> {
                Main.Sweep c = new Main.Sweep();
                c.main = main;
                c.run = runOptions(seen);
                yield c;
            }
            default -> {
                if (seen.contains("--json") && seen.contains("--markdown")) {
                    yield null; // mutually exclusive: picocli says so
                }
                Main.Audit c = new Main.Audit();
                c.main = main;
                c.format = new Main.Audit.Format();
                c.format.json = seen.contains("--json");
                c.format.markdown = seen.contains("--markdown");
                c.failOnDrift = seen.contains("--fail-on-drift");
                yield c;
            }
        };
    }

    /** A token that can only be a value: not empty, not an option, not an {@code @file}. */
    private static boolean plainValue(String token) {
        return !token.isEmpty() && !token.startsWith("-") && !token.startsWith("@");
    }

    private static Main.RunOptions runOptions(Set<String> flags) {
        Main.RunOptions run = new Main.RunOptions();
        run.json = flags.contains("--json");
        run.noAlerts = flags.contains("--no-alerts");
        return run;
    }
}
