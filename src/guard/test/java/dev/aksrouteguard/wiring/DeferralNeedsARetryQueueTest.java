package dev.aksrouteguard.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.function.EventGridFunction;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cold function app defers a subnet it cannot decide until another subscription is read only when a retry queue will
 * try it again: without one (no storage connection, or one without a queue endpoint) a deferral would never be tried
 * again, so it waits for the other subscriptions' first listings as the CLI does. Through the Event Grid function, over
 * HTTPS against the emulator.
 */
class DeferralNeedsARetryQueueTest {

    static final String A = Emulated.SUB;
    static final String B = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";

    final Emulated azure = Emulated.start();
    String subnet;
    SeededCluster theirs;

    @BeforeEach
    void aSubnetOfAOnlyAClusterInBUses() {
        SeededCluster mine = Fixtures.kubenetCluster("rg-net", "aks-net").drifted().seed(azure.arm);
        theirs = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        JsonObject cluster = azure.resource(theirs.clusterId());
        for (JsonElement pool : cluster.getAsJsonObject("properties").getAsJsonArray("agentPoolProfiles")) {
            pool.getAsJsonObject().addProperty("vnetSubnetID", mine.nodeSubnetId());
        }
        azure.arm.put(theirs.clusterId(), cluster);
        azure.arm.delete(mine.clusterId());
        subnet = mine.nodeSubnetId();
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    Settings twoSubscriptions() {
        return azure.settings(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS, A + "," + B);
    }

    TestContext deliver(Wiring w) {
        TestContext context = new TestContext(EventGridFunction.NAME);
        EventGridFunction.over(w).run(EventJson.subnetWrite(subnet).eventGrid().toString(), context);
        return context;
    }

    @Test
    void aFunctionAppWithoutARetryQueueWaitsForTheOtherSubscriptionsFirstListingAndDecidesAtOnce() {
        Wiring w = Wiring.functionApp(twoSubscriptions(), azure.options().withRetries(null)); // no storage: RetryQueue.NONE

        TestContext context = deliver(w);

        assertEquals(theirs.routeTableId().toLowerCase(Locale.ROOT), String.valueOf(azure.routeTableOf(subnet)).toLowerCase(Locale.ROOT),
                "decided by its owner in B, not deferred to a retry that never comes: " + context.log.all());
        assertTrue(context.log.all().contains("reassociated"), context.log.all());
    }

    @Test
    void aFunctionAppWithARetryQueueDefersItAndHandsItOnInsteadOfWaiting() {
        Wiring w = Wiring.functionApp(twoSubscriptions(), azure.options());

        TestContext context = deliver(w);

        assertNull(azure.routeTableOf(subnet), "nothing decided before B is read: " + context.log.all());
        assertEquals(1, azure.retries.submitted.size(), "handed to the retry queue, which decides it once B is read");
        assertEquals(List.of(), azure.writes());
    }
}
