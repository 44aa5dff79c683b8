package dev.aksrouteguard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one Azurite Table service and one Azurite Queue service ({@code .ci/node_modules/.bin/azurite-table} and
 * {@code azurite-queue}, installed by {@code npm install --prefix .ci}) for the whole test run, each on a free loopback
 * port with in-memory persistence, and stops them when the run ends (they live in the root store, which closes
 * {@link AutoCloseable} values). Test classes get them as a parameter of type {@link Azurite}.
 *
 * <p>Missing Azurite fails the tests with the command to run: CI installs it, so a silent skip would hide a gap.
 */
public final class AzuriteExtension implements ParameterResolver {

    /** The well-known development account of the storage emulators (public, not a secret). */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AzuriteExtension.class);

    /** The running Azurite Table and Queue services. */
    public record Azurite(int tablePort, int queuePort) {
        public String connectionString() {
            return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
                    + ";TableEndpoint=" + tableEndpoint() + ";QueueEndpoint=" + queueEndpoint() + ";";
        }

        public String tableEndpoint() {
            return "http://127.0.0.1:" + tablePort + "/" + ACCOUNT;
        }

        public String queueEndpoint() {
            return "http://127.0.0.1:" + queuePort + "/" + ACCOUNT;
        }

        /** A table name of its own for one test. */
        public static String freshTable() {
            return "alerts" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        }
    }

    /** Azurite started outside JUnit (the benchmarks): the services, and how to stop them. */
    public record Standalone(Azurite azurite, Runnable stop) implements AutoCloseable {
        @Override
        public void close() {
            stop.run();
        }
    }

    /**
     * Starts Azurite Table and Queue services for a caller that is not a JUnit test. @throws IllegalStateException when
     * Azurite is not installed or does not start
     */
    public static Standalone standalone() {
        Running running = Running.start();
        return new Standalone(running.azurite, running::close);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Azurite.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Process.class, k -> Running.start(), Running.class).azurite;
    }

    /** The two services, closed by JUnit at the end of the run. */
    private static final class Running implements AutoCloseable {
        final Service table;
        final Service queue;
        final Azurite azurite;

        private Running(Service table, Service queue) {
            this.table = table;
            this.queue = queue;
            this.azurite = new Azurite(table.port, queue.port);
        }

        static Running start() {
            Service table = Service.start("table");
            try {
                return new Running(table, Service.start("queue"));
            } catch (RuntimeException e) {
                table.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                queue.close();
            } finally {
                table.close();
            }
        }
    }

    /** One Azurite service process ({@code azurite-table} or {@code azurite-queue}). */
    private static final class Service implements AutoCloseable {
        final Process process;
        final int port;
        final Path workspace;

        private Service(Process process, int port, Path workspace) {
            this.process = process;
            this.port = port;
            this.workspace = workspace;
        }

        static Service start(String kind) {
            Path bin = findBinary("azurite-" + kind);
            try {
                Path workspace = Files.createTempDirectory("azurite-" + kind);
                int port = freePort();
                Path log = workspace.resolve("azurite.log");
                Process process = new ProcessBuilder(List.of(bin.toString(),
                        "--" + kind + "Host", "127.0.0.1", "--" + kind + "Port", String.valueOf(port),
                        "--inMemoryPersistence", "--skipApiVersionCheck",
                        "--disableTelemetry", "--silent"))
                        .directory(workspace.toFile()) // in-memory; anything Azurite still writes lands here
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                Service service = new Service(process, port, workspace);
                awaitListening(service, port, log);
                return service;
            } catch (IOException e) {
                throw new UncheckedIOException("could not start " + bin, e);
            }
        }

        private static Path findBinary(String name) {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                Path bin = dir.resolve(".ci/node_modules/.bin/" + name);
                if (Files.isExecutable(bin)) {
                    return bin;
                }
                if (Files.exists(dir.resolve("pom.xml")) && Files.exists(dir.resolve(".ci"))) {
                    break;
                }
            }
            throw new IllegalStateException("Azurite is not installed: .ci/node_modules/.bin/" + name + " is missing. "
                    + "Run `npm install --prefix .ci` in the project directory (CI does this in .ci/run), then run the tests again.");
        }

        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }

        /** Polls the port until Azurite accepts connections; fails with its log when it exits or takes over 60 s. */
        private static void awaitListening(Service running, int port, Path log) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    return;
                } catch (IOException notYet) {
                    if (!running.process.isAlive() || System.nanoTime() > deadline) {
                        try {
                            running.process.waitFor(2, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        String output = Files.exists(log) ? Files.readString(log) : "";
                        running.close();
                        throw new IllegalStateException("Azurite did not start on port " + port + ":\n" + output);
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for Azurite", e);
                    }
                }
            }
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            try (Stream<Path> files = Files.walk(workspace)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
        }
    }
}
