package dev.aksrouteguard.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.prevention.Fixes;
import dev.aksrouteguard.prevention.Prevention;
import dev.aksrouteguard.prevention.Tool;
import java.util.List;
import java.util.Map;

/**
 * What {@code audit} adds to each subnet for prevention: the IaC fixes ({@code prevention} in JSON, a collapsible fix
 * per drifted subnet in Markdown) and, with a repair history, how often the subnet was stripped within the window
 * ({@code strippedCount}) and by whom last ({@code lastStrippedBy}).
 */
final class AuditOutput {

    private AuditOutput() {}

    /** The audit's JSON ({@link Output#json(Outcome)} per row) with {@code prevention} and, with a history, the strips. */
    static String json(List<Outcome> rows, @Nullable Map<SubnetId, Recurrence> history, Map<String, String> names) {
        return json(rows, history, names, Map.of());
    }

    /**
     * As {@link #json(List, Map, Map)}, then one row per subscription that could not be read: no {@code subnet},
     * action {@code failed}, and why (anything secret-shaped masked), so that a reader of the JSON alone sees the
     * audit is incomplete.
     */
    static String json(List<Outcome> rows, @Nullable Map<SubnetId, Recurrence> history, Map<String, String> names,
            Map<String, String> unreadable) {
        JsonArray a = new JsonArray();
        for (Outcome o : rows) {
            Outcome row = withHistory(o, history);
            JsonObject j = Output.json(row);
            j.addProperty("subscriptionName", names.get(row.subnet().subscriptionId().toLowerCase(java.util.Locale.ROOT)));
            j.addProperty("migrateBefore", row.cluster() == null ? null : Output.KUBENET_RETIREMENT);
            if (Prevention.applies(row)) {
                Fixes f = Prevention.fixes(row);
                JsonObject p = new JsonObject();
                for (Tool t : Tool.values()) {
                    p.addProperty(t.key(), f.of(t));
                }
                p.addProperty("mostLikely", f.primary() == null ? null : f.primary().key()); // null: not known
                p.addProperty("why", f.why());
                p.addProperty("declaration", f.evidence());
                j.add("prevention", p);
            }
            if (history != null) {
                Recurrence r = history.get(row.subnet());
                j.addProperty("strippedCount", r == null ? 0 : r.count());
                j.addProperty("lastStrippedBy", r == null || r.last() == null ? null : r.last().describe());
            }
            a.add(j);
        }
        unreadable.forEach((id, error) -> a.add(Output.subscriptionRow(id, names.get(id), Action.FAILED.word(),
                "could not read subscription " + id + ", not audited (its subnets are not listed): " + Output.mask(error),
                Output.UNREADABLE_NEXT_STEP)));
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(a);
    }

    /** One line per subnet with strips recorded, after the table; or the one line that says the history is off. */
    static String table(List<Outcome> rows, @Nullable Map<SubnetId, Recurrence> history, Recurrence.Policy policy, String off) {
        if (history == null) {
            return off + "\n";
        }
        StringBuilder sb = new StringBuilder();
        for (Outcome o : rows) {
            Recurrence r = history.get(o.subnet());
            if (r == null || r.last() == null) {
                continue;
            }
            if (sb.length() == 0) {
                sb.append("\nStripped ").append(policy.windowWords()).append(" (repair history; ").append(policy.threshold())
                        .append(" or more: fix the IaC, see aks-route-guard prevent):\n");
            }
            sb.append("  ").append(o.subnet().virtualNetworkName()).append('/').append(o.subnet().name()).append("  ")
                    .append(r.count()).append(r.escalates() ? " (recurring)" : "").append("  last by ").append(r.last().describe())
                    .append('\n');
        }
        return sb.length() == 0 ? "\nNo strips recorded " + policy.windowWords() + " (repair history).\n" : sb.toString();
    }

    /** Markdown: the strips per subnet (or that the history is off), then a collapsible fix per drifted subnet. */
    static String markdown(List<Outcome> rows, @Nullable Map<SubnetId, Recurrence> history, Recurrence.Policy policy, String off) {
        StringBuilder sb = new StringBuilder();
        if (history == null) {
            sb.append("\n").append(off).append("\n");
        } else if (rows.stream().anyMatch(o -> history.get(o.subnet()) != null && history.get(o.subnet()).last() != null)) {
            sb.append("\n### Stripped ").append(policy.windowWords()).append("\n\n| Subnet | Stripped | Last stripped by |\n|---|---|---|\n");
            for (Outcome o : rows) {
                Recurrence r = history.get(o.subnet());
                if (r != null && r.last() != null) {
                    sb.append("| ").append(md(o.subnet().virtualNetworkName() + "/" + o.subnet().name())).append(" | ").append(r.count())
                            .append(r.escalates() ? " (recurring)" : "").append(" | ").append(md(r.last().describe())).append(" |\n");
                }
            }
        }
        for (Outcome o : rows) {
            Outcome row = withHistory(o, history);
            if (row.action() != Action.DRIFT_REPORTED || !Prevention.applies(row)) {
                continue;
            }
            Fixes f = Prevention.fixes(row);
            sb.append("\n<details>\n<summary>Fix ").append(html(row.subnet().virtualNetworkName() + "/" + row.subnet().name()))
                    .append(": stop the IaC stripping its route table (")
                    .append(f.primary() == null ? "which tool: not known" : html(f.primary().title()) + " first").append(")</summary>\n\n");
            // Markdown, not HTML (after the blank line): the last strip's principal is in it, as written.
            sb.append(md(html(f.why()))).append(' ').append(md(html(f.evidence()))).append("\n\n");
            List<Tool> order = new java.util.ArrayList<>();
            if (f.primary() != null) {
                order.add(f.primary());
            }
            order.addAll(f.others());
            for (Tool t : order) {
                String lang = switch (t) {
                    case TERRAFORM -> "hcl";
                    case BICEP -> "bicep";
                    case AZURE_CLI -> "sh";
                };
                sb.append("**").append(t.title()).append("**\n\n```").append(lang).append('\n').append(fence(f.of(t)));
                if (!f.of(t).endsWith("\n")) {
                    sb.append('\n');
                }
                sb.append("```\n\n");
            }
            sb.append("</details>\n");
        }
        return sb.toString();
    }

    private static Outcome withHistory(Outcome o, @Nullable Map<SubnetId, Recurrence> history) {
        return history == null || history.get(o.subnet()) == null ? o : o.withRecurrence(history.get(o.subnet()));
    }

    private static String md(String s) {
        return Output.md(s);
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** A code block's content never closes its fence. */
    private static String fence(String s) {
        return s.replace("```", "` ` `");
    }
}
