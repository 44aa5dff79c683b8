package dev.aksrouteguard.teams;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.prevention.Fixes;
import dev.aksrouteguard.prevention.Prevention;
import dev.aksrouteguard.prevention.Tool;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The words on the cards: builds the format-free {@link CardContent} of one outcome or one sweep (titles, facts, the
 * sweep's items). How long it may be is {@link CardSizing}'s business; how it is written, a {@link CardFormatter}'s.
 */
final class CardText {

    /** The longest text kept for a message or next step; ARM error messages can be kilobytes. */
    static final int MAX_TEXT = 1500;
    /** The longest detail kept per sweep item. */
    static final int MAX_ITEM_DETAIL = 240;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    /** Problems first, then repairs; the order of the sweep's list. */
    private static final List<Action> SEVERITY = List.of(Action.FAILED, Action.CONFLICT, Action.ROUTE_TABLE_MISSING,
            Action.DRIFT_REPORTED, Action.REASSOCIATED, Action.IN_SYNC, Action.IGNORED);

    private CardText() {}

    /** Where the links point and how often a finding repeats, from the settings. */
    /**
     * @param scopeKey the guard's scope as a stable key ({@code SubscriptionScope.key()}): its own findings are kept
     *     under it
     * @param scope the guard's scope in words
     */
    record Context(URI portal, String scopeKey, String scope, Duration repeat) {
        Context {
            Objects.requireNonNull(portal, "portal == null");
            Objects.requireNonNull(scopeKey, "scopeKey == null");
            Objects.requireNonNull(scope, "scope == null");
            Objects.requireNonNull(repeat, "repeat == null");
        }
    }

    /** What a sweep card lists: the news of this sweep (the rest was alerted within the window). */
    record SweepNews(List<Outcome> listed, List<Outcome> notReached, boolean errorIsNews, int alreadyAlerted) {
        SweepNews {
            listed = List.copyOf(listed);
            notReached = List.copyOf(notReached);
        }

        /** Everything is news: the demo's rendering, and sinks without a memory. */
        static SweepNews all(SweepReport report) {
            return new SweepNews(report.outcomes().stream().filter(o -> o.action().isAlerted()).toList(),
                    report.notReached(), report.error() != null, 0);
        }

        boolean isEmpty() {
            return listed.isEmpty() && notReached.isEmpty() && !errorIsNews;
        }
    }

    // ---- one outcome ------------------------------------------------------------------------------------------

    static CardContent outcome(Outcome o, Context ctx, @Nullable AlertMemory.Claim claim) {
        List<CardContent.Fact> facts = new ArrayList<>();
        facts.add(new CardContent.Fact("Cluster", o.cluster() == null ? "none found" : o.cluster().name()
                + " (resource group " + o.cluster().resourceGroup() + ")"));
        if (!o.nodePools().isEmpty()) {
            facts.add(new CardContent.Fact("Node pools", String.join(", ", o.nodePools())));
        }
        facts.add(new CardContent.Fact("Subnet", o.subnet().name() + " (VNet " + o.subnet().virtualNetworkName()
                + ", resource group " + o.subnet().resourceGroup() + ")"));
        facts.add(new CardContent.Fact("Route table", routeTables(o)));
        facts.add(new CardContent.Fact("Changed by", who(o.trigger())));
        String client = client(o.trigger());
        if (client != null) {
            facts.add(new CardContent.Fact("Client", client));
        }
        if (o.deployment() != null) {
            facts.add(new CardContent.Fact("Deployment", o.deployment().summary()));
        }
        if (o.trigger() instanceof Trigger.Event e) {
            facts.add(new CardContent.Fact("Operation", e.write().operationName()));
        }
        facts.add(new CardContent.Fact("When", when(o)));
        facts.add(new CardContent.Fact(o.action() == Action.REASSOCIATED ? "Event to repair" : "Event to outcome",
                o.sinceEvent() == null ? "n/a (no event)" : duration(o.sinceEvent())));
        facts.add(new CardContent.Fact("Mode", o.mode() == Mode.REPORT ? "report (the guard writes nothing)" : o.mode().word()));
        facts.add(new CardContent.Fact("Correlation ID", correlationId(o.trigger())));
        if (claim != null && o.action().isProblem()) {
            facts.add(new CardContent.Fact("Alerts", recurrence(claim, ctx.repeat())));
        }
        if (o.recurrence() != null) {
            facts.add(new CardContent.Fact("Stripped", o.recurrence().describe()));
        }
        List<CardContent.Fact> notes = new ArrayList<>();
        if (o.nextStep() != null) {
            notes.add(new CardContent.Fact("Next step", truncate(o.nextStep(), MAX_TEXT)));
        } else if (o.action() == Action.FAILED || o.action() == Action.CONFLICT) {
            notes.add(new CardContent.Fact("Next step", "look at the subnet in the portal; the function's log has the details"));
        }
        List<CardContent.Link> links = new ArrayList<>();
        links.add(new CardContent.Link("Open subnet in the Azure portal", portalLink(ctx.portal(), o.subnet().id())));
        if (o.cluster() != null) {
            links.add(new CardContent.Link("Open cluster in the Azure portal", portalLink(ctx.portal(), o.cluster())));
        }
        CardContent.Stop stop = stop(o);
        boolean escalated = escalated(o);
        return new CardContent(escalated ? "Recurring: " + title(o) : title(o), escalated ? CardContent.Tone.ATTENTION : tone(o.action()),
                truncate(o.message(), MAX_TEXT), facts, notes, null, List.of(), null, links, stop);
    }

    private static boolean escalated(Outcome o) {
        return o.recurrence() != null && o.recurrence().escalates();
    }

    /**
     * "Stop it recurring", on the cards of a subnet that was stripped ({@code reassociated}, {@code drift-reported}): the
     * fix for the tool that most likely made the change, the others one click away (all of them, when which tool made it
     * is not known: the deployment lookup was late, failed or was refused); escalated, it first says how often
     * the subnet was stripped and by whom.
     */
    static CardContent.@Nullable Stop stop(Outcome o) {
        if (o.action() != Action.REASSOCIATED && o.action() != Action.DRIFT_REPORTED || !Prevention.applies(o)) {
            return null;
        }
        Fixes fixes = Prevention.fixes(o);
        String lead = fixes.why() + " " + fixes.evidence();
        if (escalated(o)) {
            lead = capitalize(o.recurrence().describe()) + ": fix the IaC. " + lead;
        }
        List<CardContent.Snippet> hidden = fixes.others().stream().map(t -> snippet(t, fixes)).toList();
        // which tool made the change not known: no fix shown first, every one a click away
        return new CardContent.Stop("Stop it recurring", escalated(o) ? CardContent.Tone.ATTENTION : CardContent.Tone.NEUTRAL, lead,
                fixes.primary() == null ? null : snippet(fixes.primary(), fixes), hidden,
                "every fix: aks-route-guard prevent " + o.subnet() + " --format all");
    }

    private static CardContent.Snippet snippet(Tool tool, Fixes fixes) {
        return new CardContent.Snippet("fix-" + tool.key(), tool.title(), fixes.of(tool));
    }

    /** The client of a first-party Microsoft app, or "service principal …" for any other app ID; null without an event. */
    static @Nullable String client(Trigger trigger) {
        if (!(trigger instanceof Trigger.Event e) || e.write().actor().appId() == null) {
            return null;
        }
        Actor a = e.write().actor();
        if (a.client() != null) {
            return a.client() + " (a Microsoft client: a person signed in)";
        }
        return a.isServicePrincipal() ? "service principal " + a.appId() + " (not a Microsoft client: a pipeline or an identity)"
                : "app " + a.appId() + " (not a Microsoft client)";
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The first line: what happened, to which subnet of which cluster. */
    static String title(Outcome o) {
        String subnet = "subnet " + o.subnet().name() + (o.cluster() == null ? "" : " of cluster " + o.cluster().name());
        return switch (o.action()) {
            case REASSOCIATED -> "Repaired: route table " + name(o.routeTable()) + " re-associated with " + subnet;
            case DRIFT_REPORTED -> "Drift found, not repaired" + (o.mode() == Mode.REPORT ? " (report mode)" : "")
                    + ": " + subnet + " lost its route table";
            case CONFLICT -> "Conflict, left alone: " + subnet + " needs a person";
            case ROUTE_TABLE_MISSING -> "Route table missing: " + subnet + " has no route table to re-associate";
            case FAILED -> "Repair failed: " + subnet;
            case IN_SYNC -> "In sync: " + subnet;
            case IGNORED -> "Ignored: " + subnet;
            case DEFERRED -> "Deferred, to be tried again: " + subnet;
        };
    }

    private static String routeTables(Outcome o) {
        String expected = o.routeTable() == null ? "unknown" : o.routeTable().name();
        String carried = o.previousRouteTable() == null ? "none" : o.previousRouteTable().name();
        return switch (o.action()) {
            case REASSOCIATED -> expected + " (the subnet carried: " + carried + ")";
            case IN_SYNC -> expected;
            default -> "the cluster's: " + expected + "; the subnet carries: " + carried;
        };
    }

    static String who(Trigger trigger) {
        if (trigger instanceof Trigger.Event e) {
            Actor a = e.write().actor();
            List<String> parts = new ArrayList<>();
            parts.add(a.principal() != null ? a.principal() : "unknown principal");
            if (a.appId() != null) {
                parts.add("app " + a.appId());
            }
            if (a.clientIp() != null) {
                parts.add("from " + a.clientIp());
            }
            return String.join(", ", parts);
        }
        if (trigger instanceof Trigger.Sweep) {
            return "found by the drift sweep (no event)";
        }
        return trigger.describe() + " (no event)";
    }

    private static String when(Outcome o) {
        if (o.trigger() instanceof Trigger.Event e && e.write().eventTime() != null) {
            return "written " + TIME.format(e.write().eventTime()) + ", handled " + TIME.format(o.finishedAt());
        }
        return TIME.format(o.finishedAt());
    }

    private static String correlationId(Trigger trigger) {
        if (trigger instanceof Trigger.Event e) {
            return e.write().correlationId() != null ? e.write().correlationId() : "none in the event";
        }
        return "none (no event)";
    }

    private static String recurrence(AlertMemory.Claim claim, Duration repeat) {
        return switch (claim.decision()) {
            case FIRST -> "first alert; repeated every " + duration(repeat) + " while unresolved";
            case REPEAT -> "still unresolved"
                    + (claim.firstSeen() != null ? " since " + TIME.format(claim.firstSeen()) : "")
                    + "; repeated every " + duration(repeat) + " until resolved";
            case UNRECORDED, SUPPRESS -> "sent each time it is seen (no alert memory)";
        };
    }

    // ---- one sweep --------------------------------------------------------------------------------------------

    /** The summary card of a sweep, listing every item of {@code news} (trimming is {@link CardSizing}'s, by size). */
    static CardContent sweep(SweepReport r, SweepNews news, Context ctx) {
        Map<Action, Integer> counts = r.counts();
        List<CardContent.Fact> facts = new ArrayList<>();
        facts.add(new CardContent.Fact("Guarding", ctx.scope()));
        facts.add(new CardContent.Fact("Mode", r.mode() == Mode.REPORT ? "report (the guard writes nothing)" : r.mode().word()));
        facts.add(new CardContent.Fact("Node subnets", String.valueOf(r.outcomes().size() + r.notReached().size())));
        for (Action a : SEVERITY) {
            int n = counts.getOrDefault(a, 0);
            if (n > 0 || a == Action.IN_SYNC) {
                facts.add(new CardContent.Fact(a.word(), String.valueOf(n)));
            }
        }
        if (!r.notReached().isEmpty()) {
            facts.add(new CardContent.Fact("not reached", r.notReached().size() + " (drifted; the time budget ran out; the next sweep repairs them)"));
        }
        if (r.subscriptions().size() > 1 || r.subscriptions().stream().anyMatch(s -> s.error() != null || !s.reached())) {
            int shown = 0;
            List<SweepReport.Subscription> subs = new ArrayList<>(r.subscriptions());
            subs.sort(Comparator.comparing((SweepReport.Subscription s) -> s.error() == null && s.reached()).thenComparing(s -> s.label()));
            for (SweepReport.Subscription s : subs) {
                if (shown++ == MAX_SUBSCRIPTION_FACTS) {
                    facts.add(new CardContent.Fact("…", "and " + (subs.size() - MAX_SUBSCRIPTION_FACTS) + " more subscriptions"));
                    break;
                }
                facts.add(new CardContent.Fact(truncate(s.label(), 120), subscriptionLine(r, s)));
            }
        }
        if (news.alreadyAlerted() > 0) {
            facts.add(new CardContent.Fact("Already alerted", news.alreadyAlerted() + " unresolved finding"
                    + (news.alreadyAlerted() == 1 ? "" : "s") + " alerted within the last " + duration(ctx.repeat())
                    + ", not listed again"));
        }
        facts.add(new CardContent.Fact("When", TIME.format(r.startedAt()) + ", took " + duration(r.took())));
        facts.add(new CardContent.Fact("ARM calls", plural(r.calls().reads(), "read") + ", " + plural(r.calls().writes(), "write")));
        List<CardContent.Fact> notes = new ArrayList<>();
        if (r.discoveryProblem() != null) {
            notes.add(new CardContent.Fact("Stale subscriptions", "could not discover the guarded subscriptions again; swept the "
                    + r.subscriptions().size() + " known before (a subscription added since is not swept yet): "
                    + truncate(r.discoveryProblem(), 300)));
        }
        if (r.error() == null && !r.unreadableSubscriptions().isEmpty()) {
            notes.add(new CardContent.Fact("Next step", "check the guard's identity can read each subscription marked \"could not "
                    + "be read\" (the aks-route-guard role in infra/, assigned there or at its management group); the next sweep retries"));
        }
        if (r.error() != null) {
            notes.add(new CardContent.Fact("Error", truncate(r.error(), MAX_TEXT)));
            notes.add(new CardContent.Fact("Next step", "check the guard's identity can read the subscription (the aks-route-guard role in infra/); the next sweep retries"));
        }
        List<CardContent.Item> items = new ArrayList<>();
        news.listed().stream()
                .sorted(Comparator.comparingInt((Outcome o) -> SEVERITY.indexOf(o.action()))
                        .thenComparing(o -> o.subnet().toString(), String.CASE_INSENSITIVE_ORDER))
                .forEach(o -> items.add(item(o, o.action().word(), tone(o.action()), itemDetail(o), ctx)));
        for (Outcome o : news.notReached()) {
            items.add(item(o, "not reached", CardContent.Tone.WARNING, "drifted; not repaired within this sweep's time budget", ctx));
        }
        return new CardContent(sweepTitle(r, counts), sweepTone(r, counts), null, facts, notes,
                items.isEmpty() ? null : "Subnets", items, null, List.of());
    }

    /** Subscriptions listed by name on a sweep card, the unreadable and unreached first. */
    static final int MAX_SUBSCRIPTION_FACTS = 12;

    /** "could not be read: …", "not reached", or the counts per verdict of its subnets. */
    private static String subscriptionLine(SweepReport r, SweepReport.Subscription s) {
        if (s.error() != null) {
            return "could not be read, not swept: " + truncate(s.error(), 200);
        }
        if (!s.reached()) {
            return "not reached (the time budget ran out; the next sweep sweeps it)";
        }
        Map<Action, Integer> counts = r.counts(s.id());
        List<String> parts = new ArrayList<>();
        for (Action a : SEVERITY) {
            int n = counts.getOrDefault(a, 0);
            if (n > 0) {
                parts.add(n + " " + a.word());
            }
        }
        return parts.isEmpty() ? "no kubenet node subnet" : String.join(", ", parts);
    }

    private static String sweepTitle(SweepReport r, Map<Action, Integer> counts) {
        if (r.error() != null) {
            return "Drift sweep could not run: " + truncate(r.error(), 200);
        }
        List<String> parts = new ArrayList<>();
        for (Action a : List.of(Action.REASSOCIATED, Action.FAILED, Action.CONFLICT, Action.ROUTE_TABLE_MISSING, Action.DRIFT_REPORTED)) {
            int n = counts.getOrDefault(a, 0);
            if (n > 0) {
                parts.add(n + " " + (a == Action.REASSOCIATED ? "re-associated" : a.word()));
            }
        }
        if (!r.notReached().isEmpty()) {
            parts.add(r.notReached().size() + " not reached");
        }
        int unreadable = r.unreadableSubscriptions().size();
        int subsNotReached = r.subscriptionsNotReached().size();
        String subs = (unreadable > 0 ? ", " + unreadable + " subscription" + (unreadable == 1 ? "" : "s") + " unreadable" : "")
                + (subsNotReached > 0 ? ", " + subsNotReached + " subscription" + (subsNotReached == 1 ? "" : "s") + " not reached" : "");
        int total = r.outcomes().size() + r.notReached().size();
        return "Drift sweep" + (r.mode() == Mode.REPORT ? " (report mode)" : "") + ": "
                + (parts.isEmpty() ? "all in sync" : String.join(", ", parts))
                + " of " + total + " node subnet" + (total == 1 ? "" : "s") + subs;
    }

    private static CardContent.Tone sweepTone(SweepReport r, Map<Action, Integer> counts) {
        if (r.error() != null || counts.getOrDefault(Action.FAILED, 0) > 0 || counts.getOrDefault(Action.ROUTE_TABLE_MISSING, 0) > 0
                || !r.unreadableSubscriptions().isEmpty()) {
            return CardContent.Tone.ATTENTION;
        }
        if (counts.getOrDefault(Action.CONFLICT, 0) > 0 || counts.getOrDefault(Action.DRIFT_REPORTED, 0) > 0 || !r.notReached().isEmpty()
                || !r.subscriptionsNotReached().isEmpty() || r.discoveryProblem() != null) {
            return CardContent.Tone.WARNING;
        }
        return counts.getOrDefault(Action.REASSOCIATED, 0) > 0 ? CardContent.Tone.GOOD : CardContent.Tone.NEUTRAL;
    }

    private static CardContent.Item item(Outcome o, String label, CardContent.Tone tone, String detail, Context ctx) {
        String subject = o.subnet().name() + " (VNet " + o.subnet().virtualNetworkName()
                + (o.cluster() == null ? "" : ", cluster " + o.cluster().name()) + ")";
        return new CardContent.Item(label, tone, subject, portalLink(ctx.portal(), o.subnet().id()), truncate(detail, MAX_ITEM_DETAIL));
    }

    private static String itemDetail(Outcome o) {
        return o.nextStep() != null && o.action() != Action.DRIFT_REPORTED
                ? o.message() + " Next step: " + o.nextStep()
                : o.message();
    }

    /** "and 12 more", with where to find them. */
    static String more(int n) {
        return "and " + n + " more (run aks-route-guard audit, or see the function's log, for the full list)";
    }

    // ---- shared -----------------------------------------------------------------------------------------------

    static CardContent.Tone tone(Action action) {
        return switch (action) {
            case REASSOCIATED -> CardContent.Tone.GOOD;
            case CONFLICT, DRIFT_REPORTED -> CardContent.Tone.WARNING;
            case FAILED, ROUTE_TABLE_MISSING -> CardContent.Tone.ATTENTION;
            case IN_SYNC, IGNORED, DEFERRED -> CardContent.Tone.NEUTRAL;
        };
    }

    /** {@code {portal}#@/resource{resourceId}}: opens the resource in the portal of the configured cloud. */
    static String portalLink(URI portal, ResourceId id) {
        String base = portal.toString();
        if (!base.endsWith("/")) {
            base += "/";
        }
        StringBuilder sb = new StringBuilder(base).append("#@/resource");
        for (char c : id.toString().toCharArray()) {
            if (Character.isLetterOrDigit(c) && c < 128 || "/-._~()".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    sb.append('%').append(String.format("%02X", b & 0xff));
                }
            }
        }
        return sb.toString();
    }

    /** "800 ms", "14 s", "3 min 5 s", "24 h", "2 h 4 min", "3 d 4 h" (hours up to two days: "24 h" reads better than "1 d"). */
    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return d.toMillis() < 1000 && d.toMillis() >= 0 ? d.toMillis() + " ms" : s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        if (s < 2 * 86400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86400 + " d" + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + " h");
    }

    static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static String name(@Nullable ResourceId id) {
        return id == null ? "unknown" : id.name();
    }

    static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
