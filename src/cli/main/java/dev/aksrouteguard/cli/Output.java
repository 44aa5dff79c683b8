package dev.aksrouteguard.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** How outcomes are shown: a readable table, JSON (one object per subnet) or Markdown. */
final class Output {

    /** Kubenet on AKS retires on this day; clusters still on it must migrate (docs: README, "Kubenet retirement"). */
    static final String KUBENET_RETIREMENT = "2028-03-31";

    private Output() {}

    static JsonObject json(Outcome o) {
        JsonObject j = new JsonObject();
        j.addProperty("subnet", o.subnet().toString());
        j.addProperty("subscription", o.subnet().subscriptionId());
        j.addProperty("virtualNetwork", o.subnet().virtualNetworkName());
        j.addProperty("cluster", o.cluster() == null ? null : o.cluster().toString());
        JsonArray pools = new JsonArray();
        o.nodePools().forEach(pools::add);
        j.add("nodePools", pools);
        j.addProperty("routeTable", o.routeTable() == null ? null : o.routeTable().toString());
        j.addProperty("currentRouteTable", o.previousRouteTable() == null ? null : o.previousRouteTable().toString());
        j.addProperty("action", o.action().word());
        j.addProperty("message", o.message());
        j.addProperty("nextStep", o.nextStep());
        j.addProperty("mode", o.mode().word());
        j.addProperty("trigger", o.trigger().describe());
        j.addProperty("durationMs", o.took().toMillis());
        if (o.deployment() != null) {
            JsonObject d = new JsonObject();
            d.addProperty("id", o.deployment().id().toString());
            d.addProperty("name", o.deployment().name());
            d.addProperty("resourceGroup", o.deployment().resourceGroup());
            d.addProperty("templateLink", o.deployment().templateLink());
            d.addProperty("templateHash", o.deployment().templateHash());
            d.addProperty("startedAt", o.deployment().startedAt() == null ? null : o.deployment().startedAt().toString());
            j.add("deployment", d);
        }
        if (o.recurrence() != null) {
            j.addProperty("strippedCount", o.recurrence().count());
            j.addProperty("lastStrippedBy", o.recurrence().last() == null ? null : o.recurrence().last().describe());
        }
        return j;
    }

    /** The outcomes, then one row per subnet not reached (action {@code not-reached}: no outcome, nothing written). */
    static String json(List<Outcome> outcomes, List<SubnetId> notReached) {
        JsonArray a = new JsonArray();
        outcomes.forEach(o -> a.add(json(o)));
        for (SubnetId s : notReached) {
            JsonObject j = new JsonObject();
            j.addProperty("subnet", s.toString());
            j.addProperty("virtualNetwork", s.virtualNetworkName());
            j.addProperty("action", NOT_REACHED);
            j.addProperty("message", "not reached before the time limit; nothing written (the next sweep checks it)");
            a.add(j);
        }
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(a);
    }

    /**
     * {@code handle-event}'s rows: the outcomes, the subnets not reached, then one row per event that was not mapped to
     * subnets ({@code subnet} null, the event's {@code event} ID, {@code operation} and {@code subject}): action
     * {@code skipped} for one the guard does not act on, {@code not-reached} for one the time limit ran out before (exit
     * 4), {@code failed} for one whose clusters could not be read (exit 1), with the reason as {@code message}, so a
     * pipeline sees why it exited as it did.
     */
    static String eventJson(List<Outcome> outcomes, List<SubnetId> notReached, List<EventResult> events) {
        return eventJson(outcomes, notReached, events, List.of());
    }

    /**
     * As {@link #eventJson(List, List, List)}, then one {@code skipped} row per event of a type the guard does not act on
     * (a delete, a failure, an action: {@code eventType} set, no {@code subject}).
     */
    static String eventJson(List<Outcome> outcomes, List<SubnetId> notReached, List<EventResult> events,
            List<dev.aksrouteguard.events.ParsedEvent> parsed) {
        JsonArray a = JsonParser.parseString(json(outcomes, notReached)).getAsJsonArray();
        for (dev.aksrouteguard.events.ParsedEvent p : parsed) {
            if (p instanceof dev.aksrouteguard.events.ParsedEvent.Ignored i) {
                JsonObject j = new JsonObject();
                j.add("subnet", JsonNull.INSTANCE);
                j.addProperty("event", i.id());
                j.addProperty("eventType", i.type());
                j.add("subject", JsonNull.INSTANCE);
                j.addProperty("action", SKIPPED);
                j.addProperty("message", mask("event type " + i.type() + ": only "
                        + dev.aksrouteguard.events.ArmEvents.WRITE_SUCCESS + " is acted on"));
                a.add(j);
            }
        }
        for (EventResult e : events) {
            String action;
            String reason;
            if (e instanceof EventResult.Skipped s) {
                action = SKIPPED;
                reason = s.reason();
            } else if (e instanceof EventResult.Failed f) {
                action = f.cutByDeadline() ? NOT_REACHED : Action.FAILED.word();
                reason = f.reason();
            } else if (e instanceof EventResult.Mapped m && !m.unread().isEmpty()) {
                // mapped only in part: a node subnet of a cluster in an unread subscription may be missing (exit 4)
                action = NOT_REACHED;
                reason = "not fully mapped: the clusters of subscription(s) " + String.join(", ", m.unread())
                        + " could not be read, so node subnets of their clusters in " + e.write().subject().name()
                        + " were not decided; the next sweep checks them";
            } else {
                continue;
            }
            JsonObject j = new JsonObject();
            j.add("subnet", JsonNull.INSTANCE);
            j.addProperty("event", e.write().eventId());
            j.addProperty("operation", e.write().operationName());
            j.addProperty("subject", e.write().subject().toString());
            j.addProperty("subscription", e.write().subject().subscriptionId());
            j.addProperty("action", action);
            j.addProperty("message", mask(reason));
            a.add(j);
        }
        return GSON.toJson(a);
    }

    /** The JSON action of an event the guard does not act on. */
    static final String SKIPPED = "skipped";

    /**
     * A sweep's rows: its outcomes, one row per subnet not reached, then one row per subscription it could not sweep
     * (no {@code subnet}): action {@code failed} for one that could not be read (the error, as ARM described it, with
     * anything secret-shaped masked), {@code not-reached} for one the time budget ran out before.
     */
    static String sweepJson(SweepReport report) {
        JsonArray a = JsonParser.parseString(json(report.outcomes(), report.notReached().stream().map(Outcome::subnet).toList()))
                .getAsJsonArray();
        for (SweepReport.Subscription s : report.unreadableSubscriptions()) {
            a.add(subscriptionRow(s, Action.FAILED.word(), "could not read subscription " + s.label() + ", not swept (the others "
                    + "were): " + mask(s.error()), UNREADABLE_NEXT_STEP + "; the next sweep retries"));
        }
        for (SweepReport.Subscription s : report.subscriptionsNotReached()) {
            a.add(subscriptionRow(s, NOT_REACHED, "subscription " + s.label() + " not reached before the time budget ran out; "
                    + "nothing of it was read or written (the next sweep sweeps it)", null));
        }
        return GSON.toJson(a);
    }

    private static JsonObject subscriptionRow(SweepReport.Subscription s, String action, String message, @Nullable String nextStep) {
        return subscriptionRow(s.id(), s.name(), action, message, nextStep);
    }

    /** What to do about a subscription that could not be read. */
    static final String UNREADABLE_NEXT_STEP = "check that the guard's identity can read it (the aks-route-guard role in infra/, "
            + "assigned in this subscription or at its management group)";

    /** A row about a whole subscription: no subnet, no virtual network. */
    static JsonObject subscriptionRow(String id, @Nullable String name, String action, String message, @Nullable String nextStep) {
        JsonObject j = new JsonObject();
        j.add("subnet", JsonNull.INSTANCE);
        j.addProperty("subscription", id);
        j.addProperty("subscriptionName", name);
        j.add("virtualNetwork", JsonNull.INSTANCE);
        j.addProperty("action", action);
        j.addProperty("message", message);
        j.addProperty("nextStep", nextStep);
        return j;
    }

    /** The lines a sweep's table adds for the subscriptions it could not sweep. */
    static String sweepSubscriptions(SweepReport report) {
        StringBuilder sb = new StringBuilder();
        for (SweepReport.Subscription s : report.unreadableSubscriptions()) {
            sb.append("failed subscription ").append(s.label()).append(": could not be read, not swept (the others were): ")
                    .append(mask(s.error())).append('\n');
        }
        for (SweepReport.Subscription s : report.subscriptionsNotReached()) {
            sb.append("not reached (time limit): subscription ").append(s.label()).append('\n');
        }
        if (report.discoveryProblem() != null) {
            sb.append("stale subscriptions: could not discover them again, swept the ones known before: ")
                    .append(mask(report.discoveryProblem())).append('\n');
        }
        return sb.toString();
    }

    /** {@code text} with anything secret-shaped masked; null becomes empty. */
    static String mask(@Nullable String text) {
        return text == null ? "" : SweepReport.withoutSecrets(text);
    }

    static final com.google.gson.Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

    /** The JSON action of a subnet the command did not reach. */
    static final String NOT_REACHED = "not-reached";

    static String table(List<Outcome> outcomes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VERDICT", "CLUSTER", "POOLS", "SUBNET", "EXPECTED ROUTE TABLE", "CURRENT ROUTE TABLE"});
        for (Outcome o : outcomes) {
            rows.add(new String[] {o.action().word(), name(o.cluster()), pools(o), subnet(o), name(o.routeTable()), name(o.previousRouteTable())});
        }
        int[] widths = new int[rows.get(0).length];
        rows.forEach(r -> {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        });
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                sb.append(i == r.length - 1 ? r[i] : pad(r[i], widths[i] + 2));
            }
            sb.append('\n');
        }
        List<Outcome> noteworthy = outcomes.stream().filter(o -> o.action() != Action.IN_SYNC).toList();
        if (!noteworthy.isEmpty()) {
            sb.append('\n');
            for (Outcome o : noteworthy) {
                sb.append(o.action().word()).append("  ").append(subnet(o)).append(": ").append(o.message()).append('\n');
                if (o.nextStep() != null) {
                    sb.append("    next step: ").append(o.nextStep()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    static String markdown(List<Outcome> outcomes) {
        StringBuilder sb = new StringBuilder("| Verdict | Cluster | Node pools | Subnet | Expected route table | Current route table | Why |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            sb.append("| `").append(o.action().word()).append("` | ").append(md(name(o.cluster()))).append(" | ").append(md(pools(o)))
                    .append(" | ").append(md(subnet(o))).append(" | ").append(md(name(o.routeTable()))).append(" | ")
                    .append(md(name(o.previousRouteTable()))).append(" | ").append(md(o.message())).append(" |\n");
        }
        return sb.toString();
    }

    /**
     * The audit as a table (or Markdown): one block per subscription, headed by its name, ID and counts, when there are
     * several; a single subscription's block has no heading.
     */
    static String bySubscription(Guard.Audit audit, boolean markdown) {
        String note = audit.discoveryProblem() == null ? "" : (markdown ? "> **Note:** " : "Note: ") + staleNote(audit) + "\n\n";
        if (audit.subscriptions().size() <= 1) {
            return note + (markdown ? markdown(audit.rows()) : table(audit.rows()));
        }
        StringBuilder sb = new StringBuilder(note);
        for (String sub : audit.subscriptions()) {
            List<Outcome> rows = audit.rows().stream().filter(o -> o.subnet().subscriptionId().equalsIgnoreCase(sub)).toList();
            String name = audit.names().get(sub);
            String error = audit.unreadable().get(sub);
            String label = (name == null ? "subscription " + sub : name + " (" + sub + ")") + ": "
                    + (error == null ? footer(rows) : "failed: could not be read, not audited: " + mask(error));
            if (markdown) {
                sb.append("### ").append(md(label)).append("\n\n");
                if (!rows.isEmpty()) {
                    sb.append(markdown(rows)).append('\n');
                }
            } else {
                sb.append("== ").append(label).append('\n');
                if (!rows.isEmpty()) {
                    sb.append(table(rows));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** The audit's note when the subscriptions it audited are the ones known before a failed discovery. */
    static String staleNote(Guard.Audit audit) {
        return "could not discover the guarded subscriptions again; audited the " + audit.subscriptions().size()
                + " known before (a subscription added since is missing, one moved out may still be listed): "
                + mask(audit.discoveryProblem());
    }

    /** What the audit's footer adds when subscriptions could not be read: "; 2 of 3 subscriptions not audited (…)". */
    static String notAudited(Guard.Audit audit) {
        return audit.unreadable().isEmpty() ? "" : "; " + audit.unreadable().size() + " of " + audit.subscriptions().size()
                + " subscriptions not audited (could not be read)";
    }

    /** "12 subnets: 9 in-sync, 2 reassociated, 1 conflict". */
    static String footer(List<Outcome> outcomes) {
        Map<Action, Long> counts = new EnumMap<>(Action.class);
        outcomes.forEach(o -> counts.merge(o.action(), 1L, Long::sum));
        String parts = counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().word()).collect(Collectors.joining(", "));
        return outcomes.size() + (outcomes.size() == 1 ? " subnet" : " subnets") + (parts.isEmpty() ? "" : ": " + parts);
    }

    /** The kubenet clusters due for migration, with the command. */
    static String migration(List<Cluster> kubenet, boolean markdown) {
        if (kubenet.isEmpty()) {
            return "";
        }
        Map<ResourceId, Cluster> unique = new LinkedHashMap<>();
        kubenet.forEach(c -> unique.put(c.id(), c));
        StringBuilder sb = new StringBuilder(markdown ? "\n### Kubenet retirement\n\n" : "\n");
        sb.append("Kubenet on AKS retires on ").append(KUBENET_RETIREMENT).append(": ").append(unique.size())
                .append(unique.size() == 1 ? " cluster is" : " clusters are").append(" due for migration to Azure CNI overlay.\n");
        for (Cluster c : unique.values()) {
            String cmd = "az aks update -g " + c.id().resourceGroup() + " -n " + c.name() + " --network-plugin azure --network-plugin-mode overlay";
            sb.append(markdown ? "- " + c.name() + " (" + c.id().resourceGroup() + "): `" + cmd + "`\n" : "  " + c.name() + " (" + c.id().resourceGroup() + "): " + cmd + "\n");
        }
        return sb.toString();
    }

    private static String subnet(Outcome o) {
        return o.subnet().virtualNetworkName() + "/" + o.subnet().name();
    }

    private static String pools(Outcome o) {
        return o.nodePools().isEmpty() ? "-" : String.join(",", o.nodePools());
    }

    private static String name(@Nullable ResourceId id) {
        return id == null ? "-" : id.name();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /**
     * Text for one Markdown table cell (or heading) that shows as written and stays in its cell: a principal's name comes
     * from the event's claims, a service principal's display name is whatever its owner typed. The backslash is escaped
     * first (else {@code \\|} would un-escape the pipe and open a cell), so are {@code [ ]} (links, images) and {@code < >}
     * (HTML, autolinks); every line ending (CommonMark also ends a line at a lone carriage return) becomes a space.
     */
    static String md(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                sb.append(' ');
            } else {
                if ("\\|[]<>".indexOf(c) >= 0) {
                    sb.append('\\');
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
