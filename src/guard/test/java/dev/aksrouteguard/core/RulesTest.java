package dev.aksrouteguard.core;

import static dev.aksrouteguard.core.World.pools;
import static dev.aksrouteguard.core.World.routes;
import static dev.aksrouteguard.core.World.subnet;
import static dev.aksrouteguard.core.World.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.Route;
import dev.aksrouteguard.core.model.RouteTable;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision rule, as a table: each case is a small subscription, a freshly read subnet and the verdict. */
class RulesTest {

    static final SubnetId NODES = subnet("rg-app", "vnet-app", "nodes");
    static final SubnetId NODES2 = subnet("rg-app", "vnet-app", "nodes2");
    static final SubnetId PLAIN = subnet("rg-app", "vnet-app", "plain");
    static final ResourceId MC_TABLE = table("MC_rg-app_aks1_westeurope", "aks-agentpool-12345678-routetable");
    static final ResourceId CUSTOM = table("rg-net", "rt-firewall");
    static final ResourceId BYO = table("rg-net", "rt-aks1");

    /** A kubenet cluster aks1 with one node in NODES (10.0.0.0/22) and its AKS-managed table. */
    static World base() {
        return new World()
                .subnetState(NODES, "10.0.0.0/22", null)
                .kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                .table("MC_rg-app_aks1_westeurope", "aks-agentpool-12345678-routetable",
                        routes("aks-nodepool1-12345678-vmss000000", "10.244.0.0/24>10.0.0.4",
                                "aks-nodepool1-12345678-vmss000001", "10.244.1.0/24>10.0.0.5"));
    }

    static final String OTHER_SUB = "00000000-0000-0000-0000-000000000002";

    /** A customer's route table: a default route to a firewall, and one pod route named {@code podRoute} (10.244.0.0/24). */
    static Map<String, String> firewallAnd(String podRoute) {
        return routes("default", "0.0.0.0/0>10.100.0.4", podRoute, "10.244.0.0/24>10.0.0.4");
    }

    /**
     * aks1 (node pool nodepool1 in NODES, 10.0.0.0/22, pods 10.244.0.0/16) with no table of its own so far, and aks2 in
     * an isolated VNet with the same address plan and a node pool of the same name, whose table (in {@code tableGroup})
     * carries aks2's pod routes, associated with aks2's node subnet or not.
     */
    static World otherClusterWithRoutes(boolean associated, String tableGroup) {
        SubnetId other = subnet("rg-b", "vnet-b", "nodes");
        return new World()
                .subnetState(NODES, "10.0.0.0/22", null)
                .kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                .subnetState(other, "10.0.0.0/22", associated ? table(tableGroup, "aks-agentpool-999-routetable") : null)
                .kubenet("aks2", "rg-b", "10.244.0.0/16", pools("nodepool1", other))
                .table(tableGroup, "aks-agentpool-999-routetable", routes("aks-nodepool1-999-vmss000000", "10.244.9.0/24>10.0.0.7"),
                        associated ? new SubnetId[] {other} : new SubnetId[0]);
    }

    /** aks1 and one table, rt-aks1 in rg-net, whose route into its pod CIDR via NODES has nothing else tying it to aks1. */
    static World untiedTable() {
        return new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                .table("rg-net", "rt-aks1", routes("to-firewall-0", "10.244.3.0/24>10.0.1.10"));
    }

    record Case(World world, SubnetState subject, Class<? extends Verdict> verdict, ResourceId table, String whyMentions) {
        @Override
        public String toString() {
            return verdict.getSimpleName();
        }
    }

    /** A freshly read subnet with aks1's nodes in it ({@link World#AKS1_NODES}). */
    static SubnetState state(SubnetId id, String prefix, ResourceId table) {
        return new SubnetState(id, List.of(prefix), table, "W/\"7\"", "Succeeded", World.AKS1_NODES);
    }

    static Case c(World w, SubnetState s, Class<? extends Verdict> v, ResourceId t, String why) {
        return new Case(w, s, v, t, why);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("re-associates when the subnet lost its route table",
                        c(base(), state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, MC_TABLE, "lost its route table")),
                Arguments.of("is in sync when the subnet carries the cluster's route table",
                        c(base(), state(NODES, "10.0.0.0/22", MC_TABLE), Verdict.InSync.class, MC_TABLE, "aks1")),
                Arguments.of("never swaps a route table the customer put there",
                        c(base().table("rg-net", "rt-firewall", routes()), state(NODES, "10.0.0.0/22", CUSTOM),
                                Verdict.Conflict.class, MC_TABLE, "not swapped")),
                Arguments.of("ignores a node subnet of an Azure CNI cluster",
                        c(base().cluster("aks1", "rg-app", "azure", null, "Succeeded", null, pools("nodepool1", NODES), Map.of()),
                                state(NODES, "10.0.0.0/22", null), Verdict.Ignore.class, null, "azure")),
                Arguments.of("ignores a cluster migrated from kubenet to Azure CNI overlay, even with its old table left",
                        c(base().cluster("aks1", "rg-app", "azure", "overlay", "Succeeded", "10.244.0.0/16", pools("nodepool1", NODES), Map.of()),
                                state(NODES, "10.0.0.0/22", null), Verdict.Ignore.class, null, "azure (overlay)")),
                Arguments.of("ignores a subnet that no cluster uses",
                        c(base(), state(PLAIN, "10.0.8.0/24", null), Verdict.Ignore.class, null, "not a node subnet")),
                Arguments.of("reports a conflict when two kubenet clusters share a subnet",
                        c(base().kubenet("aks2", "rg-app", "10.245.0.0/16", pools("pool2", NODES)),
                                state(NODES, "10.0.0.0/22", null), Verdict.Conflict.class, null, "cannot share")),
                Arguments.of("ignores a cluster tagged aks-route-guard: ignore, whatever the casing",
                        c(base().cluster("aks1", "rg-app", "kubenet", null, "Succeeded", "10.244.0.0/16", pools("nodepool1", NODES),
                                Map.of("AKS-Route-Guard", " IGNORE ")), state(NODES, "10.0.0.0/22", null), Verdict.Ignore.class, null, "tagged")),
                Arguments.of("guards a cluster whose aks-route-guard tag says something else",
                        c(base().cluster("aks1", "rg-app", "kubenet", null, "Succeeded", "10.244.0.0/16", pools("nodepool1", NODES),
                                Map.of("aks-route-guard", "watch")), state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, MC_TABLE, "aks1")),
                Arguments.of("leaves a cluster that is still being created to AKS",
                        c(base().cluster("aks1", "rg-app", "kubenet", null, "Creating", "10.244.0.0/16", pools("nodepool1", NODES), Map.of()),
                                state(NODES, "10.0.0.0/22", null), Verdict.Ignore.class, null, "being created")),
                Arguments.of("leaves a cluster that is being deleted alone",
                        c(base().cluster("aks1", "rg-app", "kubenet", null, "Deleting", "10.244.0.0/16", pools("nodepool1", NODES), Map.of()),
                                state(NODES, "10.0.0.0/22", null), Verdict.Ignore.class, null, "deleted")),
                Arguments.of("finds a customer-brought table outside the node resource group by its routes",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-aks1", routes("aks-nodepool1-12345678-vmss000000", "10.244.3.0/24>10.0.1.10")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, BYO, "rt-aks1")),
                Arguments.of("falls back to the AKS-managed table when the cluster has no nodes yet",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("MC_rg-app_aks1_westeurope", "aks-agentpool-12345678-routetable", routes()),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, MC_TABLE, "aks1")),
                Arguments.of("reports the route table missing when the cluster has none",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES)),
                                state(NODES, "10.0.0.0/22", null), Verdict.RouteTableMissing.class, null, "no route table")),
                Arguments.of("stays in sync with a table it cannot confirm when the cluster has no pod routes anywhere",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-aks1", routes()),
                                state(NODES, "10.0.0.0/22", BYO), Verdict.InSync.class, BYO, "no pod routes")),
                Arguments.of("ignores pod routes whose next hop is outside the cluster's node subnets",
                        c(base().table("rg-other", "rt-other", routes("x", "10.244.7.0/24>192.168.0.4")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, MC_TABLE, "aks-agentpool")),
                Arguments.of("ignores routes outside the cluster's pod CIDR",
                        c(base().table("rg-other", "rt-other", routes("x", "172.16.0.0/24>10.0.0.4")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, MC_TABLE, "aks-agentpool")),
                Arguments.of("ignores routes whose next hop type is not VirtualAppliance",
                        c(base().table(new RouteTable(table("rg-other", "rt-gw"),
                                        List.of(new Route("aks-nodepool1-1-vmss000000", "10.244.0.0/24", "VirtualNetworkGateway", null)), List.of())),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, MC_TABLE, "aks-agentpool")),
                Arguments.of("prefers the table in the cluster's node resource group when address spaces are reused by another cluster",
                        c(base().subnetState(subnet("rg-b", "vnet-b", "nodes"), "10.0.0.0/22", table("MC_rg-b_aks2_westeurope", "aks-agentpool-999-routetable"))
                                        .kubenet("aks2", "rg-b", "10.244.0.0/16", pools("nodepool1", subnet("rg-b", "vnet-b", "nodes")))
                                        .table("MC_rg-b_aks2_westeurope", "aks-agentpool-999-routetable",
                                                routes("aks-nodepool1-999-vmss000000", "10.244.9.0/24>10.0.0.7"), subnet("rg-b", "vnet-b", "nodes")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, MC_TABLE, "aks-agentpool-12345678")),
                Arguments.of("never takes another cluster's table when its own has no pod routes (address plan reused)",
                        c(otherClusterWithRoutes(true, "MC_rg-b_aks2_westeurope")
                                        .table("MC_rg-app_aks1_westeurope", "aks-agentpool-12345678-routetable", routes()),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, MC_TABLE, "aks1")),
                Arguments.of("never takes a table in another cluster's node resource group, associated or not",
                        c(otherClusterWithRoutes(false, "MC_rg-b_aks2_westeurope"),
                                state(NODES, "10.0.0.0/22", null), Verdict.RouteTableMissing.class, null, "no route table")),
                Arguments.of("never takes a table associated with another cluster's node subnet, wherever it lives",
                        c(otherClusterWithRoutes(true, "rg-b-net"),
                                state(NODES, "10.0.0.0/22", null), Verdict.RouteTableMissing.class, null, "no route table")),
                Arguments.of("does not choose the only matching table when nothing ties it to the cluster",
                        c(untiedTable(),
                                state(NODES, "10.0.0.0/22", null), Verdict.Conflict.class, null, "nothing else ties it")),
                Arguments.of("leaves a subnet that already carries the only, untied, matching table as it is",
                        c(untiedTable(),
                                state(NODES, "10.0.0.0/22", BYO), Verdict.InSync.class, BYO, "rt-aks1")),
                Arguments.of("falls back only to an AKS-managed table of the cluster's own subscription",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table(new RouteTable(ResourceId.parse(MC_TABLE.value().replace(World.SUB, OTHER_SUB)), List.of(), List.of())),
                                state(NODES, "10.0.0.0/22", null), Verdict.RouteTableMissing.class, null, "no route table")),
                Arguments.of("repairs a customer-brought table whose routes the cloud provider named <node>____<prefix>",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-aks1", routes("aks-nodepool1-12345678-vmss000000____102440024", "10.244.0.0/24>10.0.0.4",
                                                "aks-nodepool1-12345678-vmss000001____102441024", "10.244.1.0/24>10.0.0.5")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, BYO, "rt-aks1")),
                Arguments.of("repairs both node subnets a VNet re-deploy stripped of a customer-brought table",
                        c(new World().subnetState(NODES2, "10.0.4.0/22", null)
                                        .kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES, "pool2", NODES2))
                                        .table("rg-net", "rt-aks1", routes("aks-nodepool1-12345678-vmss000000____102440024", "10.244.0.0/24>10.0.0.4",
                                                "aks-pool2-12345678-vmss000000____102441024", "10.244.1.0/24>10.0.4.4")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, BYO, "rt-aks1")),
                Arguments.of("does not take a route name whose suffix is not the route's own prefix as a node's",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-aks1", routes("aks-nodepool1-12345678-vmss000000____102449924", "10.244.3.0/24>10.0.1.10")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Conflict.class, null, "nothing else ties it")),
                Arguments.of("restores the cluster's own empty AKS table ahead of a look-alike elsewhere",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("MC_rg-app_aks1_westeurope", "aks-agentpool-12345678-routetable", routes())
                                        .table("rg-old", "rt-old", routes("aks-nodepool1-999-vmss000000____102440024", "10.244.0.0/24>10.0.0.4")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, MC_TABLE, "aks1")),
                Arguments.of("never takes a look-alike whose routes name another cluster's nodes (one it cannot see)",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-b-net", "rt-b", routes("aks-nodepool1-999-vmss000000____102440024", "10.244.0.0/24>10.0.0.4"),
                                                subnet("rg-b", "vnet-b", "nodes")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Conflict.class, null, "nothing else ties it")),
                Arguments.of("takes the cluster's own table though it is also associated with a subnet that is not a node subnet",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-aks1", firewallAnd("aks-nodepool1-12345678-vmss000000____102440024"),
                                                subnet("rg-app", "vnet-app", "jumpbox"))
                                        .table("rg-net-old", "rt-aks1-old", routes("aks-nodepool1-11111111-vmss000000____102440024", "10.244.0.0/24>10.0.0.4")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, BYO, "rt-aks1")),
                Arguments.of("does not take an orphan of another build when the cluster's own table lost its pod routes",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-aks1", routes("default", "0.0.0.0/0>10.100.0.4"))
                                        .table("rg-net-old", "rt-aks1-old", routes("aks-nodepool1-11111111-vmss000000____102440024", "10.244.0.0/24>10.0.0.4")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Conflict.class, null, "nothing else ties it")),
                Arguments.of("ties no table by route names while no node of the cluster is seen in its node subnets",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-aks1", routes("aks-nodepool1-12345678-vmss000000____102440024", "10.244.0.0/24>10.0.0.4")),
                                new SubnetState(NODES, List.of("10.0.0.0/22"), null, "W/\"7\"", "Succeeded"),
                                Verdict.Conflict.class, null, "nothing else ties it")),
                Arguments.of("counts only the nodes of the cluster's own node resource group",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-aks1", routes("aks-nodepool1-12345678-vmss000000____102440024", "10.244.0.0/24>10.0.0.4")),
                                new SubnetState(NODES, List.of("10.0.0.0/22"), null, "W/\"7\"", "Succeeded",
                                        World.nodes("MC_rg-other_aks9_westeurope", "aks-nodepool1-12345678-vmss")),
                                Verdict.Conflict.class, null, "nothing else ties it")),
                Arguments.of("prefers the table already associated with another of the cluster's node subnets",
                        c(new World().subnetState(NODES2, "10.0.4.0/22", BYO)
                                        .kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES, "pool2", NODES2))
                                        .table("rg-net", "rt-aks1", routes("r1", "10.244.0.0/24>10.0.0.4"), NODES2)
                                        .table("rg-net", "rt-lookalike", routes("r1", "10.244.1.0/24>10.0.0.5")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Reassociate.class, BYO, "rt-aks1")),
                Arguments.of("does nothing when two tables are tied to the cluster equally",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-a", routes("aks-nodepool1-1-vmss000000", "10.244.0.0/24>10.0.0.4"))
                                        .table("rg-net", "rt-b", routes("aks-nodepool1-1-vmss000001", "10.244.1.0/24>10.0.0.5")),
                                state(NODES, "10.0.0.0/22", null), Verdict.Conflict.class, null, "more than one route table")),
                Arguments.of("is in sync when associated with one of two equally tied tables",
                        c(new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                                        .table("rg-net", "rt-a", routes("aks-nodepool1-1-vmss000000", "10.244.0.0/24>10.0.0.4"))
                                        .table("rg-net", "rt-b", routes("aks-nodepool1-1-vmss000001", "10.244.1.0/24>10.0.0.5")),
                                state(NODES, "10.0.0.0/22", table("rg-net", "rt-b")), Verdict.InSync.class, table("rg-net", "rt-b"), "rt-b")),
                Arguments.of("compares subnet and table IDs case-insensitively",
                        c(base(), state(SubnetId.parse(NODES.toString().toUpperCase()), "10.0.0.0/22",
                                ResourceId.parse(MC_TABLE.value().toLowerCase())), Verdict.InSync.class, MC_TABLE, "aks1")),
                Arguments.of("reads IPv6 pod routes of a dual-stack cluster",
                        c(new World().cluster("aks1", "rg-app", "kubenet", null, "Succeeded", "fd12:3456::/64", pools("nodepool1", NODES), Map.of())
                                        .table("rg-net", "rt-aks1", routes("aks-nodepool1-12345678-vmss000000____fd12345680", "fd12:3456::/80>fd00:db8::4")),
                                new SubnetState(NODES, List.of("10.0.0.0/22", "fd00:db8::/64"), null, "W/\"1\"", "Succeeded", World.AKS1_NODES),
                                Verdict.Reassociate.class, BYO, "rt-aks1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String sentence, Case c) {
        Verdict v = Rules.decide(c.subject(), c.world().inventory());
        assertInstanceOf(c.verdict(), v, sentence + ": " + v);
        ResourceId table = v instanceof Verdict.InSync s ? s.routeTable()
                : v instanceof Verdict.Reassociate r ? r.routeTable()
                : v instanceof Verdict.Conflict k ? k.expected()
                : null;
        assertEquals(c.table(), table, sentence);
        assertTrue(v.why().contains(c.whyMentions()), () -> "why should mention '" + c.whyMentions() + "': " + v.why());
    }

    @Test
    void aConflictAlwaysSaysWhatToDoNext() {
        Consumer<Verdict> hasNextStep = v -> assertTrue(((Verdict.Conflict) v).nextStep().length() > 10, v.toString());
        hasNextStep.accept(Rules.decide(state(NODES, "10.0.0.0/22", CUSTOM), base().table("rg-net", "rt-firewall", routes()).inventory()));
        hasNextStep.accept(Rules.decide(state(NODES, "10.0.0.0/22", null),
                base().kubenet("aks2", "rg-app", "10.245.0.0/16", pools("pool2", NODES)).inventory()));
    }

    @Test
    void recognisesAksNodeNamesOfTheClustersOwnPools() {
        java.util.regex.Pattern nodeNames = Rules.nodeNamePattern(base().c("aks1"));
        assertTrue(nodeNames.matcher("aks-nodepool1-12345678-vmss00000a").matches());
        assertTrue(nodeNames.matcher("AKS-NODEPOOL1-12345678-0").matches());
        assertEquals(false, nodeNames.matcher("aks-otherpool-12345678-vmss000000").matches());
        assertEquals(false, nodeNames.matcher("nodepool1").matches());
    }

    @Test
    void nodeNamesComeFromTheScaleSetsAndVmsOfTheClustersNodeResourceGroupInItsNodeSubnets() {
        String vmss = "/subscriptions/" + World.SUB + "/resourceGroups/mc_RG-APP_aks1_westeurope/providers/Microsoft.Compute/"
                + "virtualMachineScaleSets/AKS-NODEPOOL1-12345678-VMSS/virtualMachines/3/networkInterfaces/aks-nodepool1-12345678-vmss"
                + "/ipConfigurations/ipconfig1";
        String vm = "/subscriptions/" + World.SUB + "/resourceGroups/MC_rg-app_aks1_westeurope/providers/Microsoft.Network/"
                + "networkInterfaces/aks-pool2-87654321-nic-0/ipConfigurations/ipconfig1";
        String otherGroup = "/subscriptions/" + World.SUB + "/resourceGroups/rg-jump/providers/Microsoft.Network/"
                + "networkInterfaces/aks-pool2-11111111-nic-0/ipConfigurations/ipconfig1";
        World w = new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES, "pool2", NODES2))
                .subnetState(NODES2, "10.0.4.0/22", null, List.of(vm, otherGroup, "not-an-id"));
        SubnetState subject = new SubnetState(NODES, List.of("10.0.0.0/22"), null, "W/\"1\"", "Succeeded", List.of(vmss));

        Rules.NodeNames names = Rules.NodeNames.of(w.c("aks1"), subject, w.inventory());

        assertEquals(java.util.Set.of("aks-nodepool1-12345678", "aks-pool2-87654321"), names.prefixes());
        assertTrue(names.named(new Route("aks-nodepool1-12345678-vmss00000a____102440024", "10.244.0.0/24", "VirtualAppliance", "10.0.0.4")));
        assertTrue(names.named(new Route("aks-pool2-87654321-0", "10.244.1.0/24", "VirtualAppliance", "10.0.4.4")), "a VM's route");
        assertEquals(false, names.named(new Route("aks-pool2-11111111-0", "10.244.1.0/24", "VirtualAppliance", "10.0.4.4")),
                "a NIC outside the node resource group names no node of the cluster");
        assertEquals(false, names.named(new Route("aks-nodepool1-12345678-vmss00000a____102440124", "10.244.0.0/24",
                "VirtualAppliance", "10.0.0.4")), "a suffix that is not the route's prefix");
    }

    @Test
    void theClustersOwnTableWinsAmongAHundredLookAlikesInIsolatedVnets() {
        World w = base();
        for (int i = 0; i < 100; i++) {
            w.table("rg-other-" + i, "rt-" + i, routes("aks-nodepool1-" + i + "-vmss000000", "10.244." + (i % 250) + ".0/24>10.0.0." + (4 + i % 200)));
        }
        Verdict v = Rules.decide(state(NODES, "10.0.0.0/22", null), w.inventory());
        assertEquals(MC_TABLE, assertInstanceOf(Verdict.Reassociate.class, v).routeTable());
    }

    @Test
    void findsPodRoutesByTheirNextHopAcrossAddressFamilies() {
        World w = new World()
                .table("rg", "rt-v4", routes("a", "10.244.0.0/24>10.0.0.4"))
                .table("rg", "rt-v6", routes("b", "fd12:3456::/80>fd00:db8::4"))
                .table("rg", "rt-far", routes("c", "10.244.1.0/24>10.9.0.4"));
        Inventory inv = w.inventory();
        assertEquals(List.of("rt-v4"), inv.podRoutesVia(Cidr.parse("10.0.0.0/22")).stream().map(r -> r.table().name()).toList());
        assertEquals(List.of("rt-v6"), inv.podRoutesVia(Cidr.parse("fd00:db8::/64")).stream().map(r -> r.table().name()).toList());
        assertEquals(List.of(), inv.podRoutesVia(Cidr.parse("192.168.0.0/16")));
    }
}
