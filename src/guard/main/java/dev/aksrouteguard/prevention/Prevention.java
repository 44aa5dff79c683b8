package dev.aksrouteguard.prevention;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.Attribution;
import dev.aksrouteguard.core.model.FirstPartyApps;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Strip;
import dev.aksrouteguard.core.model.Trigger;
import java.util.List;
import java.util.Objects;

/**
 * The exact IaC change that stops a subnet being stripped again, for every tool, from what the guard knows of it: the
 * outcome's subnet, prefixes (and the IPAM pools they come from) and route table; how the IaC declares the subnet
 * (from the write that stripped it, or the repair history's last strip); and which tool most likely made the change
 * (an ARM deployment, a person in the portal, or a tool that calls ARM directly), or that it is not known: only a
 * deployment lookup that answered says anything of the tool ({@link dev.aksrouteguard.core.model.Attribution}). Pure:
 * the command line and the Teams card print the same text.
 *
 * <pre>{@code
 * if (Prevention.applies(outcome)) {
 *   Fixes f = Prevention.fixes(outcome);
 *   print(f.primary() != null ? f.of(f.primary()) : f.why()); // no primary: the tool is not known
 * }
 * }</pre>
 */
public final class Prevention {

    private Prevention() {}

    /**
     * True when {@code o} is a guarded node subnet whose route table is known and whose association is (or was
     * supposed to be) the cluster's: {@code in-sync}, {@code reassociated}, {@code drift-reported}. A conflict (another
     * table, perhaps on purpose), a missing table or a failure has no fix to write into the IaC.
     */
    public static boolean applies(Outcome o) {
        return o.routeTable() != null
                && (o.action() == Action.IN_SYNC || o.action() == Action.REASSOCIATED || o.action() == Action.DRIFT_REPORTED);
    }

    /** The fixes for one outcome. @throws IllegalArgumentException when {@link #applies} is false */
    public static Fixes fixes(Outcome o) {
        return fixes(subject(o));
    }

    /** The fixes for one subnet. */
    public static Fixes fixes(Subject s) {
        return fixes(List.of(s));
    }

    /**
     * The fixes for several subnets (one VNet's, for {@code prevent --all}) in one text per tool: each route table
     * is looked up once, each VNet declared once. The primary tool (none when it is not known) and the reasons are the
     * first subject's.
     */
    public static Fixes fixes(List<Subject> subjects) {
        Objects.requireNonNull(subjects, "subjects == null");
        if (subjects.isEmpty()) {
            throw new IllegalArgumentException("no subjects");
        }
        Subject first = subjects.get(0);
        return new Fixes(TerraformFix.of(subjects), BicepFix.of(subjects), CliFix.of(subjects), first.likely(), first.likelyWhy(),
                first.declaration().evidence(first.subnet().virtualNetworkName(), first.subnet().name()));
    }

    /** What the fixes of {@code o} are written from. @throws IllegalArgumentException when {@link #applies} is false */
    public static Subject subject(Outcome o) {
        if (!applies(o)) {
            throw new IllegalArgumentException("no IaC fix for a " + o.action().word() + " subnet" + (o.routeTable() == null
                    ? " whose route table is not known" : "") + ": " + o.subnet());
        }
        Strip last = o.recurrence() == null ? null : o.recurrence().last();
        Declaration declaration = o.trigger() instanceof Trigger.Event e
                ? Declaration.fromOperation(e.write().operationName())
                : Declaration.UNKNOWN;
        if (declaration == Declaration.UNKNOWN && last != null) {
            declaration = Declaration.fromOperation(last.operation());
        }
        boolean associated = o.action() != Action.DRIFT_REPORTED;
        Likely likely = likely(o, last);
        return new Subject(o.subnet(), o.addressPrefixes(), o.ipamPools(), o.routeTable(), o.cluster(), declaration, associated, likely.tool(),
                likely.why());
    }

    /** @param tool null when nothing says which tool made the change: then no fix is put first */
    private record Likely(@Nullable Tool tool, String why) {}

    /**
     * The tool that most likely made the change (§2 of the design: the deployment, not just the principal). Only what
     * the deployment lookup actually said counts: a deployment puts Bicep first; an answer of none puts the tool that
     * calls ARM directly first (Terraform, or the command for a portal change); a lookup that was late, failed or was
     * refused, or none at all, says nothing of the tool, and no fix is put first.
     */
    private static Likely likely(Outcome o, @Nullable Strip last) {
        if (o.deployment() != null) {
            return new Likely(Tool.BICEP, "ARM deployment " + o.deployment().name() + " (resource group " + o.deployment().resourceGroup()
                    + ") made the write: fix its Bicep or ARM template.");
        }
        if (o.trigger() instanceof Trigger.Event e) {
            Actor actor = e.write().actor();
            if (!(o.attribution() instanceof Attribution.NoneFound)) {
                return new Likely(null, unknownTool(o.attribution() instanceof Attribution.Unknown u
                        ? "the deployment lookup by the write's correlation ID " + u.reason().words()
                        : "the write's correlation ID was not looked up", actor.who()));
            }
            if (FirstPartyApps.AZURE_PORTAL.equalsIgnoreCase(String.valueOf(actor.appId()))) {
                return new Likely(Tool.AZURE_CLI, "The change was made in the Azure portal, not by a template: the command puts the"
                        + " table back; the IaC fixes below keep a later deployment from removing it.");
            }
            String via = actor.client() != null ? " (signed in through " + actor.client() + ", as a local terraform apply is)" : "";
            return new Likely(Tool.TERRAFORM, "No ARM deployment carries the write's correlation ID, so a tool that calls ARM"
                    + " directly made it" + via + ": most often Terraform.");
        }
        if (last != null && last.deployment() != null) {
            return new Likely(Tool.BICEP, "The last strip came from ARM deployment " + last.deployment() + ": fix its Bicep or"
                    + " ARM template.");
        }
        if (last != null && last.lookup() == Attribution.Kind.NONE_FOUND) {
            return new Likely(Tool.TERRAFORM, "No ARM deployment carried the correlation ID of the last strip's write (by "
                    + last.by() + "), so a tool that calls ARM directly made it: most often Terraform.");
        }
        return new Likely(null, unknownTool(last == null ? "no write event or recorded strip names it"
                : last.lookup() == Attribution.Kind.UNKNOWN ? "the deployment lookup of the last strip's write gave no answer"
                : "the last strip's write was not looked up", last == null ? null : last.by()));
    }

    /** The neutral sentence: which tool is not known, why, and what to do about it. */
    private static String unknownTool(String because, @Nullable String by) {
        return "Which tool made the change is not known: " + because + (by == null ? "" : " (the write was by " + by + ")")
                + ". Use the fix for the tool that deploys this subnet: Bicep / ARM if a template deployment does, Terraform if"
                + " a Terraform configuration does (the Azure CLI command is the repair by hand).";
    }
}
