package dev.aksrouteguard.wiring;

import dev.aksrouteguard.function.EventGridFunction;
import dev.aksrouteguard.testing.TestContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A new function app instance in a JVM of its own ({@link FirstEventLoadsOnlyWhatItNeedsTest}): builds the graph as
 * the worker does ({@code Wiring.shared()}, settings from the environment), serves a delivery that needs no alert,
 * then one that repairs. Between the steps it loads a marker class, so that the JVM's class-loading log shows what
 * each step loaded. Arguments: {@code IGNORED-DELIVERY REPAIR-DELIVERY}.
 */
public final class FirstEventProbe {

    static final class GraphBuilt {}

    static final class IgnoredServed {}

    static final class RepairServed {}

    private FirstEventProbe() {}

    public static void main(String[] args) throws Exception {
        Wiring.shared();
        mark(GraphBuilt.class);
        new EventGridFunction().run(Files.readString(Path.of(args[0])), new TestContext(EventGridFunction.NAME));
        mark(IgnoredServed.class);
        new EventGridFunction().run(Files.readString(Path.of(args[1])), new TestContext(EventGridFunction.NAME));
        mark(RepairServed.class);
        System.exit(0);
    }

    private static void mark(Class<?> marker) throws ClassNotFoundException {
        Class.forName(marker.getName(), true, FirstEventProbe.class.getClassLoader());
    }
}
