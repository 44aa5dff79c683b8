package dev.aksrouteguard.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.Deliveries;
import dev.aksrouteguard.teams.TeamsMessages;
import dev.aksrouteguard.wiring.Wiring;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The product working in one command, without Azure: the local ARM emulator in process with a realistic
 * subscription, an IaC re-deploy that drops the route-table association, the resulting event delivered to the
 * Event Grid function, and what happened — decision, ARM calls, time, the subnet before and after, the Teams card.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Show the guard repairing a kubenet node subnet against the local ARM emulator (no Azure needed).")
final class Demo implements Callable<Integer> {

    /** The Event Grid function's name ({@code EventGridFunction.NAME}: {@code DemoTest} checks they agree). */
    static final String FUNCTION = "OnResourceWrite";
    static final String RG = "rg-payments";
    static final String CLUSTER = "aks-payments";
    static final Principal TERRAFORM = Principal.servicePrincipal("sp-terraform-network");
    static final List<String> KEPT = List.of("addressPrefix", "networkSecurityGroup", "natGateway", "serviceEndpoints",
            "serviceEndpointPolicies", "delegations", "privateEndpointNetworkPolicies", "privateLinkServiceNetworkPolicies");

    @ParentCommand
    Main main;

    @Option(names = "--report", description = "Run in report mode (REMEDIATION_MODE=report): decide and report, write nothing.")
    boolean report;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target",
            description = "Where to write the Teams card the guard would send (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Override
    public Integer call() throws IOException {
        PrintStream out = main.out;
        try (ArmEmulator arm = ArmEmulator.start()) {
            arm.asyncOperations(1, 1);
            out.println("aks-route-guard demo: the local ARM emulator is serving " + arm.endpoint() + " (HTTPS, self-signed)");
            out.println();

            SeededCluster kubenet = Fixtures.kubenetCluster(RG, CLUSTER).serviceEndpointPolicy().seed(arm);
            SeededCluster cni = Fixtures.azureCniCluster("rg-search", "aks-search").seed(arm);
            String plain = Fixtures.plainSubnet(arm, Fixtures.SUBSCRIPTION_ID, "rg-shared", "vnet-shared", "snet-jumpbox");
            String subnet = kubenet.nodeSubnetId();
            JsonObject before = properties(arm, subnet);
            out.println("1. A subscription with three kinds of subnet:");
            out.println("   - kubenet cluster " + CLUSTER + ": node subnet " + name(subnet) + " in " + name(kubenet.virtualNetworkId())
                    + ", carrying route table " + name(kubenet.routeTableId()) + " (" + kubenet.routeNames().size() + " pod routes),");
            out.println("     with " + present(before) + ";");
            out.println("   - Azure CNI cluster aks-search: node subnet " + name(cni.nodeSubnetId()) + " (no route table, none needed);");
            out.println("   - a plain subnet " + name(plain) + " that no cluster uses.");

            Settings settings = Settings.from(Map.of(
                    Settings.AZURE_SUBSCRIPTION_ID, Fixtures.SUBSCRIPTION_ID,
                    Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, arm.endpoint().toString(),
                    Settings.REMEDIATION_MODE, report ? "report" : "enforce"));
            Recorder alerts = new Recorder();
            Wiring wiring = Wiring.build(settings, main.options
                    .withTrust(arm.clientSslContext())
                    .withCredential(arm.credential(Principal.GUARD))
                    .withAlerts((s, c, l) -> alerts)
                    .withLog(main.log()));

            out.println();
            out.println("2. `terraform apply` re-deploys " + name(kubenet.virtualNetworkId()) + " as " + TERRAFORM.displayName()
                    + "; its template has inline subnets and no route table.");
            IacRedeploy.dropRouteTables(arm, kubenet.virtualNetworkId(), TERRAFORM);
            out.println("   " + name(subnet) + " route table: " + routeTable(arm, subnet) + "   <- pods on different nodes can no longer reach each other");
            List<JsonObject> events = arm.drainEvents();

            out.println();
            out.println("3. Event Grid delivers the " + events.size() + " ARM write event(s) to the function " + FUNCTION
                    + " (here its event path, Deliveries, as the function runs it):");
            Logger functionLog = functionLog();
            arm.clearRequests();
            long started = System.nanoTime();
            for (JsonObject event : events) {
                JsonObject data = event.getAsJsonObject("data");
                out.println("   " + event.get("eventType").getAsString() + "  " + data.get("operationName").getAsString()
                        + "  " + name(event.get("subject").getAsString()));
                Deliveries.handle(event.toString(), wiring.guard(), Instant.now().plus(wiring.settings().eventTimeBudget()),
                        functionLog);
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;

            out.println();
            out.println("4. What the guard did:");
            for (Outcome o : alerts.outcomes) {
                out.println("   decision: " + o.action().word() + " " + name(o.subnet().toString()));
                out.println("   why:      " + o.message());
                if (o.nextStep() != null) {
                    out.println("   next:     " + o.nextStep());
                }
            }
            List<RecordedRequest> calls = arm.requests();
            out.println("   ARM calls (" + calls.size() + ", all through the Azure SDK over HTTPS):");
            for (RecordedRequest r : calls) {
                out.println("     " + String.format(Locale.ROOT, "%-4s %d %s", r.method(), r.status(), shortPath(r.path()))
                        + (r.ifMatch() == null ? "" : "   If-Match: " + r.ifMatch()));
            }
            out.println("   time from event delivery to outcome: " + tookMs + " ms (includes the operation poll's Retry-After of 1 s)");

            out.println();
            out.println("5. The subnet now:");
            JsonObject after = properties(arm, subnet);
            out.println("   route table: " + routeTable(arm, subnet));
            List<String> changed = new ArrayList<>();
            for (String key : KEPT) {
                if (!java.util.Objects.equals(before.get(key), after.get(key))) {
                    changed.add(key);
                }
            }
            out.println("   other properties: " + (changed.isEmpty() ? "unchanged (" + present(after) + ")" : "CHANGED: " + changed));
            long otherWrites = calls.stream().filter(RecordedRequest::isWrite)
                    .filter(r -> !r.path().equalsIgnoreCase(subnet)).count();
            out.println("   writes to anything else (the Azure CNI subnet, the plain subnet, the VNet): " + otherWrites);

            Outcome repair = alerts.outcomes.isEmpty() ? null : alerts.outcomes.get(0);
            if (repair != null) {
                Path card = writeCard(repair, settings);
                out.println();
                out.println("6. The Teams card it would send (Adaptive Card 1.4 for a Workflows webhook): " + card);
                out.println("   " + firstText(Files.readString(card)));
            }
            boolean ok = repair != null && changed.isEmpty() && otherWrites == 0
                    && (report ? repair.action() == Action.DRIFT_REPORTED && routeTable(arm, subnet).equals("none")
                            : repair.action() == Action.REASSOCIATED && routeTable(arm, subnet).equals(name(kubenet.routeTableId())));
            out.println();
            out.println(ok ? "Demo finished: the guard " + (report ? "reported the drift and wrote nothing." : "put the route table back and touched nothing else.")
                    : "Demo FAILED: see above.");
            return ok ? Main.OK : Main.FAILED;
        }
    }

    private Path writeCard(Outcome outcome, Settings settings) throws IOException {
        Files.createDirectories(outDir);
        Path card = outDir.resolve("demo-teams-card.json");
        String json = TeamsMessages.render(outcome, settings);
        JsonElement pretty = JsonParser.parseString(json);
        Files.writeString(card, new com.google.gson.GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(pretty),
                StandardCharsets.UTF_8);
        return card;
    }

    /** The first text of the card: what happened. */
    static String firstText(String cardJson) {
        JsonObject message = JsonParser.parseString(cardJson).getAsJsonObject();
        String text = findText(message);
        return text == null ? "(no text)" : text;
    }

    private static String findText(JsonElement e) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("text") && o.get("text").isJsonPrimitive()) {
                return o.get("text").getAsString();
            }
            for (Map.Entry<String, JsonElement> m : o.entrySet()) {
                String t = findText(m.getValue());
                if (t != null) {
                    return t;
                }
            }
        } else if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                String t = findText(x);
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    private static JsonObject properties(ArmEmulator arm, String id) {
        return arm.get(id).orElseThrow().getAsJsonObject("properties").deepCopy();
    }

    private static String routeTable(ArmEmulator arm, String subnet) {
        JsonElement rt = properties(arm, subnet).get("routeTable");
        return rt == null || rt.isJsonNull() ? "none" : name(rt.getAsJsonObject().get("id").getAsString());
    }

    private static String present(JsonObject props) {
        List<String> has = new ArrayList<>();
        if (props.has("networkSecurityGroup")) {
            has.add("an NSG");
        }
        if (props.has("natGateway")) {
            has.add("a NAT gateway");
        }
        if (props.has("serviceEndpoints")) {
            has.add(props.getAsJsonArray("serviceEndpoints").size() + " service endpoints");
        }
        if (props.has("serviceEndpointPolicies")) {
            has.add("a service endpoint policy");
        }
        return String.join(", ", has);
    }

    private static String name(String id) {
        return id.substring(id.lastIndexOf('/') + 1);
    }

    private static String shortPath(String path) {
        return path.replace("/subscriptions/" + Fixtures.SUBSCRIPTION_ID, "/subscriptions/…");
    }

    /** The alerts the demo shows instead of sending. */
    private static final class Recorder implements AlertSink {
        final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

        @Override
        public void outcome(Outcome outcome) {
            outcomes.add(outcome);
        }

        @Override
        public void sweep(SweepReport report) {}
    }

    /** The function's log: its lines are printed, indented, as the Functions host would record them. */
    private Logger functionLog() {
        return CliLog.create(main.out, Level.INFO,
                r -> "     function log [" + r.getLevel().getName().toLowerCase(Locale.ROOT) + "] " + r.getMessage());
    }
}
