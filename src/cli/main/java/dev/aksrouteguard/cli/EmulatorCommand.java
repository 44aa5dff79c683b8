package dev.aksrouteguard.cli;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Serves the local ARM emulator for local trials: the other commands, run in another shell with the printed
 * environment, talk to it exactly as they would to Azure (managed identity through {@code IDENTITY_ENDPOINT},
 * the emulator's certificate trusted through the JVM trust store).
 */
@Command(name = "emulator", mixinStandardHelpOptions = true, description = "Serve the local ARM emulator (with a seeded subscription) and print the environment to point the other commands at it.")
final class EmulatorCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--clusters", paramLabel = "N", defaultValue = "0",
            description = "Also seed N generated clusters (6 in 10 kubenet in sync, 2 drifted, 1 Azure CNI, 1 plain VNet).")
    int clusters;

    @Option(names = "--drifted", description = "Seed the demo's kubenet cluster with its node subnet already drifted.")
    boolean drifted;

    @Option(names = "--trust-store", paramLabel = "FILE", defaultValue = "target/emulator-truststore.p12",
            description = "Where to write the PKCS12 trust store holding the emulator's certificate (default: ${DEFAULT-VALUE}).")
    Path trustStore;

    @Option(names = "--once", hidden = true, description = "Print the environment and stop (for tests).")
    boolean once;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (clusters < 0) {
            throw new Main.UsageException("--clusters must be 0 or more, got " + clusters);
        }
        PrintStream out = main.out;
        try (ArmEmulator arm = ArmEmulator.start()) {
            var kubenet = Fixtures.kubenetCluster(Demo.RG, Demo.CLUSTER).serviceEndpointPolicy();
            if (drifted) {
                kubenet.drifted();
            }
            SeededCluster seeded = kubenet.seed(arm);
            Fixtures.azureCniCluster("rg-search", "aks-search").seed(arm);
            Fixtures.plainSubnet(arm, Fixtures.SUBSCRIPTION_ID, "rg-shared", "vnet-shared", "snet-jumpbox");
            if (clusters > 0) {
                Fixtures.largeSubscription(clusters).seed(arm);
            }
            String password = UUID.randomUUID().toString();
            Path parent = trustStore.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            arm.writeTrustStore(trustStore, password.toCharArray());
            out.println("# The local ARM emulator is running. In another shell:");
            out.println("export " + Settings.AZURE_SUBSCRIPTION_ID + "=" + Fixtures.SUBSCRIPTION_ID);
            out.println("export " + Settings.AZURE_RESOURCE_MANAGER_ENDPOINT + "=" + arm.endpoint());
            out.println("export IDENTITY_ENDPOINT=" + arm.identityEndpoint());
            out.println("export IDENTITY_HEADER=" + arm.identityHeader());
            out.println("export JAVA_TOOL_OPTIONS='-Djavax.net.ssl.trustStore=" + trustStore.toAbsolutePath()
                    + " -Djavax.net.ssl.trustStorePassword=" + password + " -Djavax.net.ssl.trustStoreType=PKCS12'");
            out.println("# then e.g.: java -jar target/aks-route-guard.jar audit");
            out.println("#            java -jar target/aks-route-guard.jar reconcile " + seeded.nodeSubnetId());
            out.println("# Stop with Ctrl-C.");
            out.flush();
            if (once) {
                return Main.OK;
            }
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
            return Main.OK;
        }
    }
}
