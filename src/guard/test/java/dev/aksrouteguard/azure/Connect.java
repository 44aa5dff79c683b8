package dev.aksrouteguard.azure;

import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.testing.Emulated;
import java.time.Duration;

/** The production ARM adapters, connected to an emulator as the guard's identity (test support). */
final class Connect {

    private Connect() {}

    static ArmClients to(Emulated azure) {
        return to(azure, ArmLimits.DEFAULT);
    }

    static ArmClients to(Emulated azure, ArmLimits limits) {
        return ArmClients.connect(azure.settings(), azure.arm.credential(Principal.GUARD),
                ArmClients.httpClient(azure.arm.clientSslContext()), limits);
    }

    /** The defaults, with these changed (null keeps the default). */
    static ArmLimits limits(Duration tokenDeadline, Duration operationDeadline, Duration listDeadline, Integer maxPages,
            Duration retryBudget) {
        ArmLimits d = ArmLimits.DEFAULT;
        return new ArmLimits(tokenDeadline != null ? tokenDeadline : d.tokenDeadline(), d.maxSingleWait(), d.maxRetries(),
                retryBudget != null ? retryBudget : d.retryBudget(),
                operationDeadline != null ? operationDeadline : d.operationDeadline(),
                listDeadline != null ? listDeadline : d.listDeadline(), maxPages != null ? maxPages : d.maxPages());
    }
}
