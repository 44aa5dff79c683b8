package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI ({@code target/aks-route-guard.jar}) as separate processes, configured only by environment and
 * JVM trust store, exactly as on a laptop or in Azure: {@code DefaultAzureCredential} fetches its token from the
 * emulator's App Service–style managed-identity endpoint, and the alert memory is shared through Azurite.
 */
@ExtendWith(AzuriteExtension.class)
class CliProcessIT {

    static final Path JAR = dev.aksrouteguard.testing.Repo.file("target/aks-route-guard.jar");
    /** The path and signature of the fake webhook: they must never appear in any output. */
    static final String HOOK_PATH = "/workflows/" + UUID.randomUUID() + "/triggers/manual/paths/invoke";
    static final String HOOK_SIG = "sv1" + UUID.randomUUID().toString().replace("-", "");

    ArmEmulator arm;
    HttpServer teams;
    final List<String> cards = new CopyOnWriteArrayList<>();
    Path trustStore;
    final String password = UUID.randomUUID().toString();

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        assertTrue(Files.exists(JAR), "run mvn package first: " + JAR);
        arm = ArmEmulator.start();
        arm.synchronousWrites(true);
        trustStore = arm.writeTrustStore(dir.resolve("trust.p12"), password.toCharArray());
        teams = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        teams.createContext("/", exchange -> {
            cards.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        teams.start();
    }

    @AfterEach
    void stop() {
        teams.stop(0);
        arm.close();
    }

    record Run(int exit, String out, String err) {}

    Run cli(Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + password,
                "-Djavax.net.ssl.trustStoreType=PKCS12", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("IDENTITY_") || k.startsWith("MSI_")
                || k.startsWith("TEAMS_") || k.startsWith("AzureWebJobs") || k.equals("JAVA_TOOL_OPTIONS"));
        env.put("AZURE_SUBSCRIPTION_ID", Fixtures.SUBSCRIPTION_ID);
        env.put("AZURE_RESOURCE_MANAGER_ENDPOINT", arm.endpoint().toString());
        env.put("IDENTITY_ENDPOINT", arm.identityEndpoint().toString());
        env.put("IDENTITY_HEADER", arm.identityHeader());
        env.putAll(extraEnv);
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI did not finish");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    String routeTableOf(String subnetId) {
        JsonObject props = arm.get(subnetId).orElseThrow().getAsJsonObject("properties");
        return props.has("routeTable") ? props.getAsJsonObject("routeTable").get("id").getAsString() : null;
    }

    @Test
    void repairsThroughTheManagedIdentityEndpointAndTheJvmTrustStore() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(arm);
        Run run = cli(Map.of(), "reconcile", c.nodeSubnetId());
        assertEquals(0, run.exit(), run.err());
        assertEquals(c.routeTableId().toLowerCase(), routeTableOf(c.nodeSubnetId()).toLowerCase());
        assertFalse(arm.tokenRequests().isEmpty(), "DefaultAzureCredential asked the managed-identity endpoint");
        assertTrue(arm.requests().stream().allMatch(r -> Principal.GUARD.equals(r.principal())), "every call as the guard");
    }

    @Test
    void anUnresolvedFindingIsAlertedOnceAcrossTwoProcessRunsSharingAzurite(Azurite azurite) throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
        String tableA = foreignTable("rt-firewall-a");
        String tableB = foreignTable("rt-firewall-b");
        bind(c.nodeSubnetId(), tableA);
        Map<String, String> env = new HashMap<>();
        env.put("TEAMS_WEBHOOK_URL", "http://127.0.0.1:" + teams.getAddress().getPort() + HOOK_PATH + "?sig=" + HOOK_SIG);
        env.put("AzureWebJobsStorage", azurite.connectionString());
        env.put("ALERT_REPEAT_HOURS", "24");

        Run first = cli(env, "reconcile", c.nodeSubnetId());
        Run second = cli(env, "reconcile", c.nodeSubnetId());
        assertEquals(0, first.exit(), first.err());
        assertEquals(0, second.exit(), second.err());
        assertEquals(1, cards.size(), "the same conflict is alerted once per ALERT_REPEAT_HOURS, across processes");
        assertTrue(cards.get(0).contains("rt-firewall-a"), cards.get(0));

        bind(c.nodeSubnetId(), tableB);
        Run third = cli(env, "reconcile", c.nodeSubnetId());
        assertEquals(0, third.exit(), third.err());
        assertEquals(2, cards.size(), "a different reason for the same subnet is a new alert");

        for (Run r : List.of(first, second, third)) {
            for (String secret : List.of(HOOK_PATH, HOOK_SIG, AzuriteExtension.KEY)) {
                assertFalse(r.out().contains(secret) || r.err().contains(secret), "a secret leaked: " + r);
            }
        }
        assertTrue(first.err().contains("repeat suppression on"), first.err());
        assertEquals(tableB.toLowerCase(), routeTableOf(c.nodeSubnetId()).toLowerCase(), "never swapped");
    }

    @Test
    void withoutStorageAlertsStillGoOutAndTheOutputSaysSuppressionIsOff() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(arm);
        Run run = cli(Map.of("TEAMS_WEBHOOK_URL", "http://127.0.0.1:" + teams.getAddress().getPort() + HOOK_PATH + "?sig=" + HOOK_SIG),
                "reconcile", c.nodeSubnetId());
        assertEquals(0, run.exit(), run.err());
        assertEquals(1, cards.size());
        assertTrue(cards.get(0).contains("application/vnd.microsoft.card.adaptive"), cards.get(0));
        assertTrue(run.err().contains("repeat suppression off"), run.err());
        assertFalse(run.err().contains(HOOK_SIG) || run.out().contains(HOOK_SIG));
        Run quiet = cli(Map.of("TEAMS_WEBHOOK_URL", "http://127.0.0.1:" + teams.getAddress().getPort() + HOOK_PATH + "?sig=" + HOOK_SIG),
                "reconcile", "--no-alerts", c.nodeSubnetId());
        assertEquals(0, quiet.exit(), quiet.err());
        assertEquals(1, cards.size(), "--no-alerts sends nothing");
    }

    @Test
    void theReadmeDemoRunsFromTheJar() throws Exception {
        Run run = cli(Map.of(), "demo", "--out", dir.toString());
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("Demo finished: the guard put the route table back and touched nothing else."), run.out());
        assertTrue(Files.exists(dir.resolve("demo-teams-card.json")));
    }

    String foreignTable(String name) {
        String id = "/subscriptions/" + Fixtures.SUBSCRIPTION_ID + "/resourceGroups/rg-app/providers/Microsoft.Network/routeTables/" + name;
        JsonObject table = new JsonObject();
        table.addProperty("location", Fixtures.LOCATION);
        table.add("properties", new JsonObject());
        arm.put(id, table);
        return id;
    }

    void bind(String subnetId, String tableId) {
        JsonObject subnet = arm.get(subnetId).orElseThrow();
        JsonObject ref = new JsonObject();
        ref.addProperty("id", tableId);
        subnet.getAsJsonObject("properties").add("routeTable", ref);
        arm.put(subnetId, subnet);
    }
}
