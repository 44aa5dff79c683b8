package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.NodePool;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.Route;
import dev.aksrouteguard.core.model.RouteTable;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small subscription for core tests: clusters, route tables and subnets, built by name. */
final class World {

    static final String SUB = "00000000-0000-0000-0000-000000000001";
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    final Map<String, Cluster> clusters = new LinkedHashMap<>();
    final Map<String, RouteTable> tables = new LinkedHashMap<>();
    final Map<SubnetId, SubnetState> subnets = new LinkedHashMap<>();

    static SubnetId subnet(String rg, String vnet, String name) {
        return SubnetId.of(SUB, rg, vnet, name);
    }

    static ResourceId table(String rg, String name) {
        return ResourceId.parse("/subscriptions/" + SUB + "/resourceGroups/" + rg + "/providers/Microsoft.Network/routeTables/" + name);
    }

    static ResourceId clusterId(String rg, String name) {
        return ResourceId.parse("/subscriptions/" + SUB + "/resourceGroups/" + rg + "/providers/Microsoft.ContainerService/managedClusters/" + name);
    }

    /**
     * The IP configuration IDs of one node of each scale set named ({@code aks-<pool>-<digits>-vmss}) in node resource
     * group {@code nodeGroup}, as ARM lists them in a node subnet's {@code ipConfigurations[]}.
     */
    static List<String> nodes(String nodeGroup, String... scaleSets) {
        List<String> ids = new ArrayList<>();
        for (String vmss : scaleSets) {
            ids.add("/subscriptions/" + SUB + "/resourceGroups/" + nodeGroup + "/providers/Microsoft.Compute/virtualMachineScaleSets/"
                    + vmss + "/virtualMachines/0/networkInterfaces/" + vmss + "/ipConfigurations/ipconfig1");
        }
        return ids;
    }

    /** aks1's nodes (node resource group MC_rg-app_aks1_westeurope; pools nodepool1, pool2 and pool9, digits 12345678). */
    static final List<String> AKS1_NODES = nodes("MC_rg-app_aks1_westeurope",
            "aks-nodepool1-12345678-vmss", "aks-pool2-12345678-vmss", "aks-pool9-12345678-vmss");

    /** A subnet with aks1's nodes in it ({@link #AKS1_NODES}). */
    World subnetState(SubnetId id, String prefix, ResourceId table) {
        return subnetState(id, prefix, table, AKS1_NODES);
    }

    World subnetState(SubnetId id, String prefix, ResourceId table, List<String> ipConfigurations) {
        subnets.put(id, new SubnetState(id, List.of(prefix), table, "W/\"1\"", "Succeeded", ipConfigurations));
        return this;
    }

    World kubenet(String name, String rg, String podCidr, Map<String, SubnetId> pools) {
        return cluster(name, rg, "kubenet", null, "Succeeded", podCidr, pools, Map.of());
    }

    World cluster(String name, String rg, String plugin, String mode, String state, String podCidr, Map<String, SubnetId> pools,
            Map<String, String> tags) {
        List<NodePool> nodePools = new ArrayList<>();
        pools.forEach((pool, subnet) -> nodePools.add(new NodePool(pool, subnet)));
        clusters.put(name, new Cluster(clusterId(rg, name), plugin, mode, state, podCidr == null ? List.of() : List.of(podCidr),
                "MC_" + rg + "_" + name + "_westeurope", nodePools, tags));
        return this;
    }

    /** Adds a table with routes given as name -> "prefix>nextHop". */
    World table(String rg, String name, Map<String, String> routes, SubnetId... associated) {
        List<Route> list = new ArrayList<>();
        routes.forEach((route, spec) -> {
            String[] p = spec.split(">");
            list.add(new Route(route, p[0], "VirtualAppliance", p[1]));
        });
        tables.put(name, new RouteTable(table(rg, name), list, List.of(associated)));
        return this;
    }

    World table(RouteTable t) {
        tables.put(t.name(), t);
        return this;
    }

    Cluster c(String name) {
        return clusters.get(name);
    }

    Inventory inventory() {
        return new Inventory(clusters.values(), tables.values(), subnets.values(), T0);
    }

    static Map<String, String> routes(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    static Map<String, SubnetId> pools(Object... pairs) {
        Map<String, SubnetId> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (SubnetId) pairs[i + 1]);
        }
        return m;
    }
}
