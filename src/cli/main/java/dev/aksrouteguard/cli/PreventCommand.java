package dev.aksrouteguard.cli;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.prevention.Fixes;
import dev.aksrouteguard.prevention.Prevention;
import dev.aksrouteguard.prevention.Subject;
import dev.aksrouteguard.prevention.Tool;
import dev.aksrouteguard.wiring.Wiring;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code prevent SUBNET_ID | --all [--format terraform|bicep|cli|all]}: the change to the IaC that stops a guarded
 * subnet being stripped again, read-only. The subscription is read as {@code audit} reads it (list calls, never a
 * write); the repair history, when storage is configured, says how the IaC declares the subnet (the last strip's write)
 * and which tool made it.
 */
@Command(name = "prevent", mixinStandardHelpOptions = true, description = "Print the IaC fix that stops a guarded subnet from being stripped again "
        + "(Terraform, Bicep / ARM, Azure CLI), with the real IDs. Read-only.")
final class PreventCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Parameters(paramLabel = "SUBNET_ID", description = "The guarded node subnet's ARM resource ID.")
        String subnetId;

        @Option(names = "--all", description = "Every guarded node subnet of every guarded subscription, grouped by virtual network.")
        boolean all;
    }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "all",
            description = "terraform, bicep, cli or all (default: all).")
    String format;

    @Override
    public Integer call() {
        List<Tool> tools = tools(format);
        SubnetId only = null;
        if (!target.all) {
            try {
                only = SubnetId.parse(target.subnetId);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException(e.getMessage());
            }
        }
        Settings settings = main.settings(true);
        Wiring w = main.wiring(settings);
        if (only != null && !w.guard().scope().contains(only.subscriptionId())) {
            throw new Main.UsageException("the subnet is in subscription " + only.subscriptionId() + ", outside the guarded "
                    + w.guard().scope().describe() + " (" + settings.scope().setting() + ")");
        }
        Guard.Audit audit;
        try {
            audit = w.guard().auditBySubscription();
        } catch (ArmException e) {
            main.err.println("aks-route-guard: could not list the subscription: " + e.getMessage());
            return Main.FAILED;
        }
        // Another guarded subscription that cannot be read stops neither the fix of a subnet elsewhere nor the others'.
        if (only != null) {
            String subscription = only.subscriptionId();
            for (Map.Entry<String, String> u : audit.unreadable().entrySet()) {
                if (u.getKey().equalsIgnoreCase(subscription)) {
                    main.err.println("aks-route-guard: could not list the subscription: " + u.getKey() + ": " + Output.mask(u.getValue()));
                    return Main.FAILED;
                }
            }
        }
        List<Outcome> rows = audit.rows();
        Map<SubnetId, Recurrence> history = w.guard().recurrences(rows.stream().map(Outcome::subnet).toList());
        if (!w.history().enabled()) {
            main.err.println("aks-route-guard: " + w.history().describe()
                    + "; without it the fixes cannot tell inline subnets from separate ones and offer both");
        }
        if (only != null) {
            SubnetId wanted = only;
            Outcome row = rows.stream().filter(o -> o.subnet().equals(wanted)).findFirst().orElse(null);
            if (row == null && !audit.unreadable().isEmpty()) { // its cluster may be in a subscription that was not read
                audit.unreadable().forEach((subscription, why) -> main.err.println("aks-route-guard: could not list the "
                        + "subscription: " + subscription + ": " + Output.mask(why)));
                main.err.println("aks-route-guard: no cluster read uses " + wanted.name() + ", but a cluster in a subscription "
                        + "that could not be read may: no fix without it");
                return Main.FAILED;
            }
            if (row == null) {
                throw new Main.UsageException("not a node subnet of a kubenet cluster in the subscription: " + wanted
                        + " (run aks-route-guard audit for the guarded subnets)");
            }
            row = withHistory(row, history);
            if (!Prevention.applies(row)) {
                throw new Main.UsageException("no IaC fix for " + wanted.name() + ": it is " + row.action().word() + " ("
                        + row.message() + ")");
            }
            print(Prevention.fixes(row), tools, "");
            return Main.OK;
        }
        Map<ResourceId, List<Subject>> byVnet = new LinkedHashMap<>();
        List<Outcome> skipped = new ArrayList<>();
        for (Outcome o : rows) {
            Outcome row = withHistory(o, history);
            if (Prevention.applies(row)) {
                byVnet.computeIfAbsent(row.subnet().virtualNetwork(), k -> new ArrayList<>()).add(Prevention.subject(row));
            } else {
                skipped.add(row);
            }
        }
        for (Map.Entry<ResourceId, List<Subject>> vnet : byVnet.entrySet()) {
            String names = String.join(", ", vnet.getValue().stream().map(s -> s.subnet().name()).toList());
            main.out.println("######## VNet " + vnet.getKey().name() + " (resource group " + vnet.getKey().resourceGroup() + "): "
                    + names);
            print(Prevention.fixes(vnet.getValue()), tools, "");
            main.out.println();
        }
        for (Outcome o : skipped) {
            main.out.println("# no fix for " + o.subnet().virtualNetworkName() + "/" + o.subnet().name() + ": " + o.action().word()
                    + " (" + o.message() + ")");
        }
        if (byVnet.isEmpty() && skipped.isEmpty() && audit.unreadable().isEmpty()) {
            main.out.println("# no kubenet node subnets in " + w.guard().scope().describe());
        }
        audit.unreadable().forEach((subscription, why) -> {
            main.out.println("# not read, so no fixes for its subnets: subscription " + subscription + ": " + Output.mask(why));
            main.err.println("aks-route-guard: could not list the subscription: " + subscription + ": " + Output.mask(why));
        });
        return audit.unreadable().isEmpty() ? Main.OK : Main.FAILED;
    }

    private static Outcome withHistory(Outcome o, Map<SubnetId, Recurrence> history) {
        return history == null || !history.containsKey(o.subnet()) ? o : o.withRecurrence(history.get(o.subnet()));
    }

    private void print(Fixes fixes, List<Tool> tools, String indent) {
        if (tools.size() > 1) {
            main.out.println("# " + fixes.why());
        }
        for (Tool t : tools) {
            if (tools.size() > 1) {
                main.out.println();
                main.out.println("# ==== " + t.title() + (t == fixes.primary() ? " (most likely the tool that stripped it)" : "")
                        + " ====");
            }
            main.out.print(indent + fixes.of(t));
            if (!fixes.of(t).endsWith("\n")) {
                main.out.println();
            }
        }
    }

    static List<Tool> tools(String format) {
        if (format.equalsIgnoreCase("all")) {
            return List.of(Tool.values());
        }
        try {
            return List.of(Tool.parse(format));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--format: expected terraform, bicep, cli or all, got '" + format + "'");
        }
    }
}
