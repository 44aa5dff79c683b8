package dev.aksrouteguard.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * The ARM emulator in a JVM of its own, so that its CPU is not counted against the guard's. Seeds
 * {@link BenchSubscription} (writes complete at once: no operation polls), with {@code --clusters N} also
 * {@code Fixtures.largeSubscription(N)}, writes a trust store, prints what a client
 * needs ({@code env NAME=VALUE}, {@code id NAME=VALUE}, {@code trust PATH PASSWORD}, {@code control URL}, then
 * {@code ready}) and serves until its standard input closes.
 *
 * <p>The control endpoint (plain HTTP on loopback) lets the benchmark act on the emulator between measured events:
 * {@code POST /drift?vnet=ID} plays an IaC re-deploy that strips the VNet's route-table associations;
 * {@code POST /calls} answers {@code lists gets polls writes} made by the guard's identity since the last call.
 *
 * <p>With {@code --contention}, it also seeds {@link Contention#POOLS} drifted node subnets in one VNet and makes
 * writes long-running operations (one {@code InProgress} poll, {@code Retry-After: 1}), so that writes from several
 * processes overlap as in Azure; {@code POST /contention} answers the subnet PUTs by status, how many of the VNet's
 * subnets carry the route table with no operation left running on them, and the subnet GETs.
 */
public final class EmulatorProcess {

    private EmulatorProcess() {}

    public static void main(String[] args) throws Exception {
        try (ArmEmulator arm = ArmEmulator.start()) {
            boolean contention = java.util.Arrays.asList(args).contains("--contention");
            arm.synchronousWrites(!contention);
            if (contention) {
                arm.asyncOperations(1, 1);
            }
            BenchSubscription sub = BenchSubscription.seed(arm);
            if (args.length >= 2 && args[0].equals("--clusters")) {
                Fixtures.largeSubscription(Integer.parseInt(args[1])).seed(arm);
            }
            dev.aksrouteguard.emulator.SeededCluster wide = java.util.Arrays.asList(args).contains("--storm")
                    ? Fixtures.kubenetCluster("rg-wide", "aks-wide").addressSpace("10.32.0.0/13").podCidr("10.240.0.0/14").nodesPerPool(1).nodePools(Storm.POOLS).subnetPerPool().seed(arm)
                    : null;
            dev.aksrouteguard.emulator.SeededCluster busy = contention
                    ? Fixtures.kubenetCluster("rg-busy", "aks-busy").nodePools(Contention.POOLS).subnetPerPool().drifted().seed(arm)
                    : null;
            Path trustStore = Files.createTempFile("bench-emulator-", ".p12");
            trustStore.toFile().deleteOnExit();
            String password = UUID.randomUUID().toString();
            arm.writeTrustStore(trustStore, password.toCharArray());

            HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            control.createContext("/drift", exchange -> {
                String vnet = URLDecoder.decode(exchange.getRequestURI().getRawQuery().substring("vnet=".length()),
                        StandardCharsets.UTF_8);
                IacRedeploy.dropRouteTables(arm, vnet, EventCosts.TERRAFORM);
                answer(exchange, "ok");
            });
            control.createContext("/calls", exchange -> {
                List<RecordedRequest> guard = arm.requests().stream()
                        .filter(r -> r.principal() != null && r.principal().objectId().equals(Principal.GUARD.objectId()))
                        .toList();
                arm.clearRequests();
                ArmCalls c = ArmCalls.of(guard);
                answer(exchange, c.lists() + " " + c.gets() + " " + c.polls() + " " + c.writes());
            });
            control.createContext("/contention", exchange -> {
                List<RecordedRequest> puts = arm.requests().stream()
                        .filter(r -> r.method().equals("PUT") && r.path().toLowerCase(java.util.Locale.ROOT).contains("/subnets/"))
                        .toList();
                long ok = puts.stream().filter(r -> r.status() < 300).count();
                long conflict = puts.stream().filter(r -> r.status() == 409).count();
                long stale = puts.stream().filter(r -> r.status() == 412).count();
                long reads = arm.requests().stream().filter(r -> r.method().equals("GET")
                        && r.path().toLowerCase(java.util.Locale.ROOT).contains("/subnets/")).count();
                // repaired: the table is there and no operation is left running on the subnet (a write accepted but never
                // settled would show the table too)
                long associated = busy == null ? 0 : busy.nodeSubnetIds().stream().filter(id -> arm.get(id)
                        .map(j -> j.getAsJsonObject("properties"))
                        .map(p -> p.has("routeTable") && (!p.has("provisioningState")
                                || "Succeeded".equals(p.get("provisioningState").getAsString())))
                        .orElse(false)).count();
                answer(exchange, ok + " " + conflict + " " + stale + " " + associated + " " + reads);
            });
            control.start();

            System.out.println("env AZURE_SUBSCRIPTION_ID=" + Fixtures.SUBSCRIPTION_ID);
            System.out.println("env AZURE_RESOURCE_MANAGER_ENDPOINT=" + arm.endpoint());
            System.out.println("env IDENTITY_ENDPOINT=" + arm.identityEndpoint());
            System.out.println("env IDENTITY_HEADER=" + arm.identityHeader());
            System.out.println("id plainSubnet=" + sub.plainSubnet());
            System.out.println("id cniSubnet=" + sub.azureCni().nodeSubnetId());
            System.out.println("id inSyncSubnet=" + sub.inSync().nodeSubnetId());
            System.out.println("id inSyncCluster=" + sub.inSync().clusterId());
            System.out.println("id driftingSubnet=" + sub.drifting().nodeSubnetId());
            System.out.println("id driftingVnet=" + sub.drifting().virtualNetworkId());
            System.out.println("id twoSubnetsVnet=" + sub.twoSubnets().virtualNetworkId());
            if (wide != null) {
                System.out.println("id wideCluster=" + wide.clusterId());
                for (int i = 0; i < wide.nodeSubnetIds().size(); i++) {
                    System.out.println("id wideSubnet" + i + "=" + wide.nodeSubnetIds().get(i));
                }
            }
            if (busy != null) {
                System.out.println("id busyVnet=" + busy.virtualNetworkId());
                for (int i = 0; i < busy.nodeSubnetIds().size(); i++) {
                    System.out.println("id busySubnet" + i + "=" + busy.nodeSubnetIds().get(i));
                }
            }
            System.out.println("trust " + trustStore + " " + password);
            System.out.println("control http://127.0.0.1:" + control.getAddress().getPort());
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the benchmark closes our standard input (or ends)
            }
            control.stop(0);
        }
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
