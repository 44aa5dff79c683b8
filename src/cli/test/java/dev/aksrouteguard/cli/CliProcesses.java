package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The packaged CLI started as a separate process against {@code arm}, configured as on a laptop or in Azure: the
 * emulator's certificate in the JVM trust store, the subscription, the ARM endpoint and an App Service–style managed
 * identity in the environment, and nothing of the caller's own Azure, Teams, storage or JVM settings.
 */
final class CliProcesses {

    static final Path JAR = dev.aksrouteguard.testing.Repo.file("target/aks-route-guard.jar");

    record Run(int exit, String out, String err) {}

    private final ArmEmulator arm;
    private final Path dir;
    private final Path trustStore;
    private final String password = UUID.randomUUID().toString();

    /** Writes the emulator's trust store into {@code dir}, where each run also leaves its output. */
    CliProcesses(ArmEmulator arm, Path dir) throws IOException {
        assertTrue(Files.exists(JAR), "run mvn package first: " + JAR);
        this.arm = arm;
        this.dir = dir;
        this.trustStore = arm.writeTrustStore(dir.resolve("trust.p12"), password.toCharArray());
    }

    /** {@code java <trust store> jvmOptions -jar target/aks-route-guard.jar}. */
    List<String> javaJar(String... jvmOptions) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(trustOptions());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", JAR.toString()));
        return command;
    }

    List<String> trustOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + password,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    /** {@code java -jar} with {@code args}. */
    Run cli(Map<String, String> extraEnv, String... args) throws Exception {
        return run(javaJar(), extraEnv, args);
    }

    /** {@code start} then {@code args}, with the emulator's environment (and {@code extraEnv}; a null value removes). */
    Run run(List<String> start, Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(start);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("IDENTITY_") || k.startsWith("MSI_")
                || k.startsWith("TEAMS_") || k.startsWith("AzureWebJobs") || k.startsWith("RECURRENCE_")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JAVA_OPTS"));
        env.put("AZURE_SUBSCRIPTION_ID", Fixtures.SUBSCRIPTION_ID);
        env.put("AZURE_RESOURCE_MANAGER_ENDPOINT", arm.endpoint().toString());
        env.put("IDENTITY_ENDPOINT", arm.identityEndpoint().toString());
        env.put("IDENTITY_HEADER", arm.identityHeader());
        extraEnv.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI did not finish");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
