package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.Route;
import dev.aksrouteguard.core.model.RouteTable;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The decision, as a pure function of plain inputs: which route table a kubenet node subnet must carry, and
 * whether it does. No I/O, no clock: table-tested in {@code RulesTest}.
 */
final class Rules {

    /** The name AKS gives the route table it manages in the node resource group. */
    static final Pattern AKS_ROUTE_TABLE = Pattern.compile("aks-agentpool-\\d+-routetable", Pattern.CASE_INSENSITIVE);

    /** Between a node's name and its pod CIDR in a route name (cloud-provider-azure's {@code routeNameSeparator}). */
    static final String ROUTE_NAME_SEPARATOR = "____";

    private Rules() {}

    /** The kubenet cluster that owns {@code subnet}, or the reason there is none to guard. */
    static Ownership ownership(SubnetId subnet, Inventory inventory) {
        List<Cluster> users = inventory.clustersUsing(subnet);
        List<Cluster> kubenet = users.stream().filter(Cluster::isKubenet).toList();
        if (kubenet.isEmpty()) {
            if (users.isEmpty()) {
                return new Ownership.None(new Verdict.Ignore(null, "not a node subnet of any managed cluster"));
            }
            Cluster c = users.get(0);
            return new Ownership.None(new Verdict.Ignore(c, "node subnet of cluster " + c.name() + ", which uses "
                    + c.pluginDescription() + " networking, not kubenet"));
        }
        if (kubenet.size() > 1) {
            String names = kubenet.stream().map(Cluster::name).collect(Collectors.joining(" and "));
            return new Ownership.None(new Verdict.Conflict(kubenet.get(0), null,
                    "subnet is a node subnet of more than one kubenet cluster (" + names + "); kubenet clusters cannot share a subnet",
                    "give each kubenet cluster its own node subnet"));
        }
        Cluster c = kubenet.get(0);
        if (c.ignoredByTag()) {
            return new Ownership.None(new Verdict.Ignore(c, "cluster " + c.name() + " is tagged "
                    + Cluster.IGNORE_TAG + ": " + Cluster.IGNORE_VALUE));
        }
        if (c.isBeingCreated()) {
            return new Ownership.None(new Verdict.Ignore(c, "cluster " + c.name() + " is still being created; left to AKS"));
        }
        if (c.isBeingDeleted()) {
            return new Ownership.None(new Verdict.Ignore(c, "cluster " + c.name() + " is being deleted"));
        }
        return new Ownership.Guarded(c);
    }

    /** Either the guarded kubenet cluster, or a final verdict saying why the subnet is not guarded. */
    sealed interface Ownership {
        record Guarded(Cluster cluster) implements Ownership {}

        record None(Verdict verdict) implements Ownership {}
    }

    /** Decides {@code subnet} (freshly read) against the rest of the subscription as {@code inventory} saw it. */
    static Verdict decide(SubnetState subnet, Inventory inventory) {
        Objects.requireNonNull(subnet, "subnet == null");
        Ownership ownership = ownership(subnet.id(), inventory);
        if (ownership instanceof Ownership.None none) {
            return none.verdict();
        }
        Cluster cluster = ((Ownership.Guarded) ownership).cluster();
        ResourceId current = subnet.routeTable();
        Expected expected = expectedTable(cluster, subnet, inventory);

        if (current != null && expected.tables().contains(current)) {
            return new Verdict.InSync(cluster, current, "associated with " + current.name() + ", the route table of cluster " + cluster.name());
        }
        if (expected instanceof Expected.Ambiguous amb) {
            String names = amb.tables().stream().map(ResourceId::name).collect(Collectors.joining(", "));
            return new Verdict.Conflict(cluster, null, "more than one route table could be cluster " + cluster.name()
                    + "'s (" + names + ") and none is tied to it more strongly; not choosing",
                    "associate the right route table with " + subnet.id().name() + " by hand, or remove the stale table's routes");
        }
        if (expected instanceof Expected.Unconfirmed u) {
            return new Verdict.Conflict(cluster, null, "route table " + u.table().name() + " carries routes into the pod CIDRs of cluster "
                    + cluster.name() + " through its node subnets, but nothing else ties it to the cluster (it is not in node resource "
                    + "group " + cluster.nodeResourceGroup() + ", no route is named after a node of the cluster seen in its node subnets, it is "
                    + "not associated with another of its node subnets); not choosing, address plans are reused across virtual networks",
                    "if " + u.table().name() + " is cluster " + cluster.name() + "'s route table, associate it with "
                            + subnet.id().name() + " by hand (az network vnet subnet update --ids " + subnet.id()
                            + " --route-table " + u.table() + ")");
        }
        if (expected instanceof Expected.None) {
            if (current != null) {
                return new Verdict.InSync(cluster, current, "associated with " + current.name()
                        + "; cluster " + cluster.name() + " has no pod routes yet to confirm it");
            }
            return new Verdict.RouteTableMissing(cluster, "no route table carries pod routes of cluster " + cluster.name()
                    + " and its node resource group " + cluster.nodeResourceGroup() + " has no aks-agentpool-*-routetable",
                    "reconcile the cluster (az aks update -g " + cluster.id().resourceGroup() + " -n " + cluster.name()
                            + ") so AKS re-creates its route table, then associate it with the subnet");
        }
        ResourceId table = ((Expected.One) expected).table();
        if (current == null) {
            return new Verdict.Reassociate(cluster, table, "lost its route table; " + table.name()
                    + " carries the pod routes of cluster " + cluster.name());
        }
        return new Verdict.Conflict(cluster, table, "associated with " + current.name() + ", which is not cluster "
                + cluster.name() + "'s route table " + table.name() + "; not swapped, it may be there on purpose",
                "if " + current.name() + " is not meant to be there, associate " + table.name() + " with "
                        + subnet.id().name() + " (az network vnet subnet update --route-table " + table + ")");
    }

    /** The route table(s) a cluster's node subnets must carry. */
    sealed interface Expected {
        List<ResourceId> tables();

        record One(ResourceId table) implements Expected {
            @Override
            public List<ResourceId> tables() {
                return List.of(table);
            }
        }

        record Ambiguous(List<ResourceId> tables) implements Expected {}

        /**
         * The only table with matching pod routes, but with nothing else tying it to the cluster: not chosen (a subnet
         * that already carries it is left as it is).
         */
        record Unconfirmed(ResourceId table) implements Expected {
            @Override
            public List<ResourceId> tables() {
                return List.of(table);
            }
        }

        record None() implements Expected {
            @Override
            public List<ResourceId> tables() {
                return List.of();
            }
        }
    }

    /**
     * The cluster's route table: the one carrying its pod routes (next hop VirtualAppliance, next-hop IP in one of
     * its node subnets, prefix inside its pod CIDRs), wherever it lives. Address spaces and pod CIDRs are reused
     * across isolated VNets, so when several tables match, the ones tied to this cluster (its node resource group,
     * route names that are its node names, an association with another of its node subnets) win, and a table that
     * belongs to another cluster (in that cluster's node resource group, or associated with one of its node subnets)
     * is never a candidate ("Using the same route table with multiple AKS clusters isn't supported": Learn, kubenet,
     * "Bring your own subnet and route table"). Short of a table with two ties, the AKS-managed table in the node
     * resource group (of the cluster's own subscription) is the answer, with or without pod routes. A route name ties
     * only when it carries the pool and digits of a scale set of the cluster's node resource group seen in its node
     * subnets ({@link NodeNames}), and a single match with no tie at all is not chosen ({@link Expected.Unconfirmed}).
     *
     * <p>Cost: the tables in the node resource group and those associated with the cluster's subnets are looked at
     * first; a candidate there with two ties or more cannot be beaten by any other table (which can have at most one:
     * its route names), so the usual case never looks further. Otherwise pod routes are found by a range lookup on
     * their next hop, not a scan of the subscription.
     */
    static Expected expectedTable(Cluster cluster, SubnetState subnet, Inventory inventory) {
        List<Cidr> podCidrs = cluster.podCidrs().stream().map(Cidr::parse).filter(Objects::nonNull).toList();
        List<Cidr> nodePrefixes = new ArrayList<>();
        for (SubnetId s : cluster.nodeSubnets()) {
            SubnetState state = s.equals(subnet.id()) ? subnet : inventory.subnet(s);
            if (state != null) {
                state.addressPrefixes().stream().map(Cidr::parse).filter(Objects::nonNull).forEach(nodePrefixes::add);
            }
        }
        NodeNames nodeNames = NodeNames.of(cluster, subnet, inventory);

        Map<ResourceId, RouteTable> tied = new LinkedHashMap<>();
        inventory.routeTablesIn(cluster.nodeResourceGroup()).forEach(t -> tied.put(t.id(), t));
        cluster.nodeSubnets().forEach(s -> inventory.routeTablesOf(s).forEach(t -> tied.put(t.id(), t)));
        Map<ResourceId, Integer> tiedCandidates = new LinkedHashMap<>();
        for (RouteTable t : tied.values()) {
            if (carriesPodRoutes(t, podCidrs, nodePrefixes) && otherOwner(t, cluster, inventory) == null) {
                tiedCandidates.put(t.id(), ties(t, cluster, subnet.id(), nodeNames));
            }
        }
        ResourceId strong = uniqueBest(tiedCandidates, 2);
        if (strong != null) {
            return new Expected.One(strong);
        }
        // The table AKS made in the cluster's own node resource group is the one its cloud provider writes routes into
        // (AKS makes none when the cluster was created with a table of the customer's): it is the answer even while it
        // has no pod routes (no nodes yet, routes wiped), before any look-alike elsewhere.
        List<ResourceId> managed = inventory.routeTablesIn(cluster.nodeResourceGroup()).stream()
                .filter(t -> inNodeResourceGroup(t, cluster) && AKS_ROUTE_TABLE.matcher(t.name()).matches()
                        && otherOwner(t, cluster, inventory) == null)
                .map(RouteTable::id)
                .toList();
        if (managed.size() == 1) {
            return new Expected.One(managed.get(0));
        }
        if (managed.size() > 1) {
            return new Expected.Ambiguous(sorted(managed));
        }

        // Tables are unique objects within one inventory: an identity set avoids hashing an ID per pod route.
        Set<RouteTable> candidates = Collections.newSetFromMap(new IdentityHashMap<>());
        List<RouteTable> inOrder = new ArrayList<>();
        for (Cidr node : nodePrefixes) {
            for (Inventory.PodRoute r : inventory.podRoutesVia(node)) {
                if (!candidates.contains(r.table()) && podCidrs.stream().anyMatch(p -> p.contains(r.prefix()))) {
                    candidates.add(r.table());
                    if (otherOwner(r.table(), cluster, inventory) == null) {
                        inOrder.add(r.table());
                    }
                }
            }
        }
        if (inOrder.size() == 1) {
            RouteTable only = inOrder.get(0);
            return ties(only, cluster, subnet.id(), nodeNames) > 0 ? new Expected.One(only.id()) : new Expected.Unconfirmed(only.id());
        }
        if (inOrder.isEmpty()) {
            return new Expected.None();
        }
        Map<ResourceId, Integer> ties = new LinkedHashMap<>();
        inOrder.forEach(t -> ties.put(t.id(), ties(t, cluster, subnet.id(), nodeNames)));
        ResourceId best = uniqueBest(ties, 1);
        if (best != null) {
            return new Expected.One(best);
        }
        int max = ties.values().stream().max(Comparator.naturalOrder()).orElse(0);
        return new Expected.Ambiguous(sorted(ties.entrySet().stream().filter(e -> e.getValue() == max).map(Map.Entry::getKey).toList()));
    }

    /** The one table with the most ties, if it has at least {@code atLeast} and no other has as many. */
    private static @Nullable ResourceId uniqueBest(Map<ResourceId, Integer> ties, int atLeast) {
        int best = ties.values().stream().max(Comparator.naturalOrder()).orElse(0);
        if (best < atLeast) {
            return null;
        }
        List<ResourceId> strongest = ties.entrySet().stream().filter(e -> e.getValue() == best).map(Map.Entry::getKey).toList();
        return strongest.size() == 1 ? strongest.get(0) : null;
    }

    /** True when {@code table} has a pod route of the cluster: in its pod CIDRs, via one of its node subnets. */
    private static boolean carriesPodRoutes(RouteTable table, List<Cidr> podCidrs, List<Cidr> nodePrefixes) {
        for (Route r : table.routes()) {
            if (!"VirtualAppliance".equalsIgnoreCase(r.nextHopType())) {
                continue;
            }
            Cidr prefix = Cidr.parse(r.addressPrefix());
            Cidr hop = Cidr.parse(r.nextHopIpAddress());
            if (prefix != null && hop != null && podCidrs.stream().anyMatch(p -> p.contains(prefix))
                    && nodePrefixes.stream().anyMatch(n -> n.contains(hop))) {
                return true;
            }
        }
        return false;
    }

    private static List<ResourceId> sorted(List<ResourceId> ids) {
        return ids.stream().sorted(Comparator.comparing(id -> id.value().toLowerCase(Locale.ROOT))).toList();
    }

    /** How many independent ties bind {@code table} to {@code cluster} (0..3). */
    static int ties(RouteTable table, Cluster cluster, SubnetId subject, NodeNames nodeNames) {
        int ties = 0;
        if (inNodeResourceGroup(table, cluster)) {
            ties++;
        }
        if (table.routes().stream().anyMatch(nodeNames::named)) {
            ties++;
        }
        Set<SubnetId> nodeSubnets = cluster.nodeSubnets();
        if (table.subnets().stream().anyMatch(s -> !s.equals(subject) && nodeSubnets.contains(s))) {
            ties++;
        }
        return ties;
    }

    /**
     * The names of the cluster's nodes, as far as ARM shows them. A node is named {@code aks-<pool>-<digits>-vmss<6
     * base-36 chars>} (scale sets) or {@code aks-<pool>-<digits>-<n>}; the digits differ between clusters that share pool
     * names, and the cluster resource does not carry them. Its network interfaces do: each node's IP configuration in a
     * node subnet is {@code .../resourceGroups/<node resource group>/providers/Microsoft.Compute/virtualMachineScaleSets/
     * aks-<pool>-<digits>-vmss/...} (or a {@code networkInterfaces/aks-<pool>-<digits>-nic-<n>}). So a route is this
     * cluster's node's only when its name carries the pool and digits of a scale set (or VM) of the cluster's own node
     * resource group found in its node subnets; with no node seen there, no route name ties a table to the cluster.
     *
     * @param prefixes {@code aks-<pool>-<digits>} of the cluster's scale sets and VMs, lower case
     */
    record NodeNames(Pattern pools, Set<String> prefixes) {

        private static final Pattern NODE_GROUP_MEMBER = Pattern.compile(
                "(?i)/providers/Microsoft\\.Compute/virtualMachineScaleSets/(aks-[a-z0-9]+-\\d+)-vmss(?:/|$)"
                        + "|/providers/Microsoft\\.Network/networkInterfaces/(aks-[a-z0-9]+-\\d+)-nic-\\d+(?:/|$)");

        static NodeNames of(Cluster cluster, SubnetState subject, Inventory inventory) {
            Set<String> prefixes = new HashSet<>();
            String group = cluster.nodeResourceGroup();
            for (SubnetId s : cluster.nodeSubnets()) {
                SubnetState state = s.equals(subject.id()) ? subject : inventory.subnet(s);
                if (state == null || group == null) {
                    continue;
                }
                for (String configuration : state.ipConfigurations()) {
                    if (!ResourceId.isValid(configuration)) {
                        continue;
                    }
                    ResourceId id = ResourceId.parse(configuration);
                    if (!group.equalsIgnoreCase(id.resourceGroup())
                            || !cluster.id().subscriptionId().equalsIgnoreCase(id.subscriptionId())) {
                        continue;
                    }
                    Matcher m = NODE_GROUP_MEMBER.matcher(configuration);
                    if (m.find()) {
                        prefixes.add((m.group(1) != null ? m.group(1) : m.group(2)).toLowerCase(Locale.ROOT));
                    }
                }
            }
            return new NodeNames(nodeNamePattern(cluster), Set.copyOf(prefixes));
        }

        /**
         * True when {@code route} is named as the cloud provider names the route of one of these nodes: the node's name,
         * or (cloud-provider-azure with its dual-stack support on, as it always is now: {@code RouteNameFmt}
         * {@code "%s____%s"}) the node's name, four underscores and the route's prefix without {@code . / :}, e.g.
         * {@code aks-nodepool1-12345678-vmss000000____102440024}.
         */
        boolean named(Route route) {
            String name = route.name();
            int separator = name.indexOf(ROUTE_NAME_SEPARATOR);
            String node = separator < 0 ? name : name.substring(0, separator);
            if (separator >= 0 && (route.addressPrefix() == null || !name.substring(separator + ROUTE_NAME_SEPARATOR.length())
                    .equalsIgnoreCase(route.addressPrefix().replace(":", "").replace(".", "").replace("/", "")))) {
                return false;
            }
            if (!pools.matcher(node).matches()) {
                return false;
            }
            String lower = node.toLowerCase(Locale.ROOT);
            return prefixes.stream().anyMatch(p -> lower.startsWith(p + "-"));
        }
    }

    /**
     * Another cluster that {@code table} belongs to, or null: the table sits in that cluster's node resource group, or ARM
     * reports it associated with one of that cluster's node subnets.
     */
    static @Nullable Cluster otherOwner(RouteTable table, Cluster cluster, Inventory inventory) {
        for (Cluster other : inventory.clustersWithNodeResourceGroup(table.id().subscriptionId(), table.id().resourceGroup())) {
            if (!other.id().equals(cluster.id())) {
                return other;
            }
        }
        for (SubnetId s : table.subnets()) {
            for (Cluster other : inventory.clustersUsing(s)) {
                if (!other.id().equals(cluster.id())) {
                    return other;
                }
            }
        }
        return null;
    }

    private static boolean inNodeResourceGroup(RouteTable table, Cluster cluster) {
        return cluster.nodeResourceGroup() != null
                && cluster.nodeResourceGroup().equalsIgnoreCase(table.id().resourceGroup())
                && cluster.id().subscriptionId().equalsIgnoreCase(table.id().subscriptionId());
    }

    /** AKS node names: {@code aks-<pool>-<digits>-vmss<6 base-36 chars>} (scale sets) or {@code aks-<pool>-<digits>-<n>}. */
    static Pattern nodeNamePattern(Cluster cluster) {
        String pools = cluster.pools().stream().map(p -> Pattern.quote(p.name())).distinct().collect(Collectors.joining("|"));
        return Pattern.compile("aks-(" + (pools.isEmpty() ? "(?!)" : pools) + ")-\\d+-(vmss[0-9a-z]{6}|\\d+)", Pattern.CASE_INSENSITIVE);
    }

}
