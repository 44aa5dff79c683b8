package dev.aksrouteguard.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import dev.aksrouteguard.testing.Emulated;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new function app instance, configured as deployed (webhook, identity, {@code AzureWebJobsStorage}), loads no Teams,
 * Table storage, Queue storage or Jackson class to build its graph and serve an event that alerts nothing, and loads
 * them when an event does need them. Runs {@link FirstEventProbe} in a fresh JVM with the class-loading log on: in
 * this test JVM every class is long loaded.
 */
@ExtendWith(AzuriteExtension.class)
class FirstEventLoadsOnlyWhatItNeedsTest {

    static final List<String> ON_DEMAND = List.of("com.azure.data.tables.", "com.azure.storage.queue.",
            "dev.aksrouteguard.teams.TeamsWebhookAlertSink", "dev.aksrouteguard.teams.TableAlertMemory",
            "dev.aksrouteguard.teams.CardFormatter", "dev.aksrouteguard.queue.StorageRetryQueue");

    final Emulated azure = Emulated.start();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        azure.close();
    }

    @Test
    void theGraphAndAnEventThatAlertsNothingLoadNoAlertOrStorageClassesARepairLoadsThem(Azurite azurite) throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        String plain = Fixtures.plainSubnet(azure.arm, Fixtures.SUBSCRIPTION_ID, "rg-shared", "vnet-shared", "snet-jumpbox");
        IacRedeploy.dropRouteTables(azure.arm, c.virtualNetworkId(), Principal.servicePrincipal("sp-terraform"));
        Path ignored = dir.resolve("ignored.json");
        Path repair = dir.resolve("repair.json");
        Files.writeString(ignored, EventJson.delivery(EventJson.subnetWrite(plain).eventGrid()));
        Files.writeString(repair, EventJson.delivery(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid()));
        String password = UUID.randomUUID().toString();
        Path trust = azure.arm.writeTrustStore(dir.resolve("trust.p12"), password.toCharArray());
        Path classes = dir.resolve("classes.log");

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load:file=" + classes, "-Djavax.net.ssl.trustStore=" + trust,
                "-Djavax.net.ssl.trustStorePassword=" + password, "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                FirstEventProbe.class.getName(), ignored.toString(), repair.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("IDENTITY_") || k.startsWith("MSI_")
                || k.startsWith("TEAMS_") || k.startsWith("AzureWebJobs") || k.equals("JAVA_TOOL_OPTIONS"));
        env.put(Settings.AZURE_SUBSCRIPTION_ID, Fixtures.SUBSCRIPTION_ID);
        env.put(Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, azure.arm.endpoint().toString());
        env.put("IDENTITY_ENDPOINT", azure.arm.identityEndpoint().toString());
        env.put("IDENTITY_HEADER", azure.arm.identityHeader());
        env.put(Settings.TEAMS_WEBHOOK_URL, "https://127.0.0.1:9/workflows/first-event/triggers/manual/paths/invoke");
        env.put(Settings.STORAGE, azurite.connectionString());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe did not finish");
        String out = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(), "the repair happened");

        List<String> loaded = Files.readAllLines(classes).stream()
                .map(l -> l.replaceFirst("^\\[[^]]*\\]\\[[^]]*\\]\\[[^]]*\\] ", "")).map(l -> l.split(" ")[0]).toList();
        int graph = loaded.indexOf(FirstEventProbe.GraphBuilt.class.getName());
        int served = loaded.indexOf(FirstEventProbe.IgnoredServed.class.getName());
        int repaired = loaded.indexOf(FirstEventProbe.RepairServed.class.getName());
        assertTrue(0 < graph && graph < served && served < repaired, "markers in order: " + graph + " " + served + " " + repaired);

        List<String> beforeRepair = loaded.subList(0, served);
        for (String prefix : ON_DEMAND) {
            assertFalse(beforeRepair.stream().anyMatch(n -> n.startsWith(prefix)), prefix + " loaded before an event needed it");
        }
        assertFalse(beforeRepair.stream().anyMatch(n -> n.startsWith("com.fasterxml.jackson.")), "Jackson loaded for no alert");
        List<String> duringRepair = loaded.subList(served, repaired);
        for (String prefix : List.of("com.azure.data.tables.", "com.azure.storage.queue.", "dev.aksrouteguard.teams.TeamsWebhookAlertSink")) {
            assertTrue(duringRepair.stream().anyMatch(n -> n.startsWith(prefix)), prefix + " is loaded when the repair is alerted");
        }
    }
}
