package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.core.Backoff;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event may reach the guard while the write it reports is still running (whether Event Grid raises
 * {@code ResourceWriteSuccess} when ARM accepts a long-running write or when it completes is not documented), and the
 * sweep may read a subnet in the middle of anyone's write: the subnet then reads {@code provisioningState: Updating},
 * showing what the write will make. The guard waits such a read out and decides on the settled subnet. Each test's
 * wait settles the operation in flight (the recording sleeper), as the IaC pipeline polling it to the end would.
 */
class WritesInFlightTest {

    static final Principal TERRAFORM = Principal.servicePrincipal("sp-terraform-platform");

    final Emulated azure = Emulated.start();
    final TestContext context = new TestContext(EventGridFunction.NAME);
    /** What each wait of the guard's retry loop found still running (and then settled). */
    final List<Integer> settledByWaits = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        azure.close();
    }

    private Wiring wiring() {
        Backoff.Sleeper settles = d -> settledByWaits.add(azure.arm.settlePendingOperations());
        return Wiring.build(azure.settings(), azure.options()
                .withBackoff(new Backoff(4, Duration.ofMillis(20), Duration.ofMillis(200), settles)));
    }

    private JsonObject subnetProperties(SeededCluster c) {
        return azure.resource(c.nodeSubnetId()).getAsJsonObject("properties");
    }

    private List<String> eventTypes() {
        return azure.arm.events().stream().map(e -> e.get("eventType").getAsString()).toList();
    }

    /** A re-deploy that dropped the table is still running when its event arrives: Network RP would cancel it. */
    @Test
    void aRedeployStillRunningIsNotCanceledByTheRepairThatFollowsIt() {
        azure.arm.supersedeConcurrentWrites(true);
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        Wiring w = wiring();
        azure.arm.inject(Fault.on("PUT", "/virtualNetworks/[^/]+$").neverEnds());
        assertNotNull(IacRedeploy.startDroppingRouteTables(azure.arm, c.virtualNetworkId(), TERRAFORM), "a long-running write");
        assertEquals("Updating", subnetProperties(c).get("provisioningState").getAsString());
        assertNull(subnetProperties(c).get("routeTable"), "the read shows what the re-deploy will make");
        azure.arm.drainEvents();
        azure.arm.clearRequests();

        EventGridFunction.over(w).run(EventJson.vnetWrite(c.virtualNetworkId()).eventGrid().toString(), context);

        Outcome o = azure.alerts.outcomes.get(0);
        assertEquals(Action.REASSOCIATED, o.action(), o.message());
        assertEquals(c.routeTableId().toLowerCase(Locale.ROOT), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(Locale.ROOT));
        assertTrue(eventTypes().stream().noneMatch(t -> t.endsWith("ResourceWriteCancel")),
                "the re-deploy was not canceled under its pipeline: " + eventTypes());
        assertEquals(1, settledByWaits.get(0), "the guard waited while the re-deploy ran, and wrote after it ended");
        assertEquals(1, azure.puts("/subnets/").size(), "one write, after the re-deploy");
    }

    /** The same, where Network RP refuses the write instead (409): not even tried while the re-deploy runs. */
    @Test
    void aRedeployStillRunningIsWaitedOutWithoutAWriteThatWouldBeRefused() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        Wiring w = wiring();
        azure.arm.inject(Fault.on("PUT", "/virtualNetworks/[^/]+$").neverEnds());
        IacRedeploy.startDroppingRouteTables(azure.arm, c.virtualNetworkId(), TERRAFORM);
        azure.arm.clearRequests();

        EventGridFunction.over(w).run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);

        assertEquals(Action.REASSOCIATED, azure.alerts.outcomes.get(0).action(), azure.alerts.outcomes.get(0).message());
        assertEquals(List.of(200), azure.puts("/subnets/").stream().map(RecordedRequest::status).toList(),
                "no write while the subnet read Updating, so none refused 409");
    }

    /**
     * A hand re-association still running reads as in sync, but its operation fails and the table is gone again (a
     * failed update is reverted: Azure/azure-resource-manager-rpc, v1.0/async-api-reference.md, step 5). Decided on that
     * read, the subnet would stay drifted with no write event to come (a failure raises ResourceWriteFailure, which the
     * guard is not sent) until the sweep.
     */
    @Test
    void aReadOfAWriteInFlightIsNotDecidedOnButTheSettledSubnetIs() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Wiring w = wiring();
        azure.arm.inject(Fault.on("PUT", "/subnets/").failAsync("InternalServerError", "An error occurred.").times(1));
        JsonObject fix = azure.resource(c.nodeSubnetId());
        JsonObject table = new JsonObject();
        table.addProperty("id", c.routeTableId());
        fix.getAsJsonObject("properties").add("routeTable", table);
        HttpResponse<String> put = java.net.http.HttpClient.newBuilder().sslContext(azure.arm.clientSslContext()).build().send(HttpRequest.newBuilder(
                        azure.arm.endpoint().resolve(c.nodeSubnetId() + "?api-version=2024-05-01"))
                .header("Authorization", "Bearer " + azure.arm.issueToken(Principal.user("ops@contoso.com", "Ops")))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(fix.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("Updating", subnetProperties(c).get("provisioningState").getAsString());
        assertNotNull(subnetProperties(c).get("routeTable"), "the read shows the table the write means to put back");
        azure.arm.clearRequests();

        EventGridFunction.over(w).run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);

        Outcome o = azure.alerts.outcomes.get(0);
        assertEquals(Action.REASSOCIATED, o.action(), o.message());
        assertEquals(List.of(1), settledByWaits, "decided once the hand fix had ended (and failed)");
        assertEquals(c.routeTableId().toLowerCase(Locale.ROOT), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(Locale.ROOT));
    }

    /** An operation that outlasts the reconcile's waits: deferred, nothing written, tried again later. */
    @Test
    void aSubnetThatStaysUpdatingIsDeferredWithNothingWritten() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        Wiring w = Wiring.build(azure.settings(), azure.options()
                .withBackoff(new Backoff(4, Duration.ofMillis(20), Duration.ofMillis(200), d -> settledByWaits.add(0))));
        azure.arm.inject(Fault.on("PUT", "/virtualNetworks/[^/]+$").neverEnds());
        IacRedeploy.startDroppingRouteTables(azure.arm, c.virtualNetworkId(), TERRAFORM);
        azure.arm.clearRequests();

        EventGridFunction.over(w).run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);

        Outcome o = azure.alerts.outcomes.get(0);
        assertEquals(Action.DEFERRED, o.action(), o.message());
        assertTrue(o.message().contains("provisioningState Updating"), o.message());
        assertTrue(o.retryable());
        assertEquals(List.of(), azure.puts("/subnets/"), "nothing written over the operation");
        assertEquals(1, azure.retries.submitted.size(), "handed to the retry queue");
    }
}
