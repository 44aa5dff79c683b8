package dev.aksrouteguard.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.function.EventGridFunction;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The function app builds what an invocation may never need on first use, and the CLI at once: the alert sink (with
 * its Storage clients) is created by the first outcome that concerns it, not with the graph nor by an {@code ignored}
 * outcome; everything still arrives where it did before.
 */
class LazyWiringTest {

    final Emulated azure = Emulated.start();
    final AtomicInteger sinksBuilt = new AtomicInteger();

    @AfterEach
    void stop() {
        azure.close();
    }

    /** Settings as deployed: a webhook and a storage connection (the development one: clients build without a service). */
    Settings deployed() {
        return azure.settings(Settings.TEAMS_WEBHOOK_URL, "https://127.0.0.1:9/workflows/lazy/triggers/manual/paths/invoke",
                Settings.STORAGE, "UseDevelopmentStorage=true");
    }

    Wiring.Options counting() {
        return azure.options().withAlerts((settings, storage, log) -> {
            sinksBuilt.incrementAndGet();
            return azure.alerts;
        });
    }

    static void deliver(Wiring w, String subject) {
        EventGridFunction.over(w).run(EventJson.subnetWrite(subject).eventGrid().toString(), new TestContext(EventGridFunction.NAME));
    }

    @Test
    void theFunctionAppBuildsItsAlertSinkAtTheFirstOutcomeThatConcernsIt() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        String plain = Fixtures.plainSubnet(azure.arm, Fixtures.SUBSCRIPTION_ID, "rg-shared", "vnet-shared", "snet-jumpbox");
        Wiring w = Wiring.functionApp(deployed(), counting());
        assertEquals(0, sinksBuilt.get(), "not with the graph");

        deliver(w, plain);
        assertEquals(0, sinksBuilt.get(), "an ignored outcome concerns no alert sink");
        assertTrue(azure.alerts.outcomes.isEmpty());
        assertTrue(w.alerts().flush(Duration.ZERO), "nothing queued before the sink exists");

        IacRedeploy.dropRouteTables(azure.arm, c.virtualNetworkId(), Principal.servicePrincipal("sp-terraform"));
        deliver(w, c.nodeSubnetId());
        assertEquals(1, sinksBuilt.get(), "built for the repair");
        assertEquals(List.of(Action.REASSOCIATED), azure.alerts.outcomes.stream().map(Outcome::action).toList());

        deliver(w, plain);
        deliver(w, c.nodeSubnetId());
        assertEquals(1, sinksBuilt.get(), "built once");
        assertEquals(List.of(Action.REASSOCIATED, Action.IGNORED, Action.IN_SYNC),
                azure.alerts.outcomes.stream().map(Outcome::action).toList(), "once built, the sink hears every outcome again");
    }

    @Test
    void theCommandLineBuildsItsAlertSinkWithTheGraph() {
        Wiring w = Wiring.build(deployed(), counting());
        assertEquals(1, sinksBuilt.get(), "the CLI says whether alerts are on before it starts");
        assertSame(azure.alerts, w.alerts());
    }

    @Test
    void withoutAWebhookTheProductionSinkIsNoneAndNoTeamsClassIsAsked() {
        assertSame(AlertSink.NONE, Wiring.teams(azure.settings(), dev.aksrouteguard.teams.AlertStorage.NONE, azure.log.logger()));
    }
}
