package dev.aksrouteguard.emulator;

import com.azure.core.credential.TokenCredential;
import com.azure.resourcemanager.containerservice.ContainerServiceManager;
import com.azure.resourcemanager.network.NetworkManager;

/** The Azure SDK wired to an emulator, as production wires it to Azure (test support). */
final class Sdk {
    private Sdk() {
    }

    static NetworkManager network(ArmEmulator arm) {
        return network(arm, arm.credential(Principal.GUARD));
    }

    static NetworkManager network(ArmEmulator arm, TokenCredential credential) {
        return NetworkManager.configure()
                .withHttpClient(arm.httpClient())
                .authenticate(credential, arm.profile(Fixtures.SUBSCRIPTION_ID));
    }

    static ContainerServiceManager containerService(ArmEmulator arm) {
        return ContainerServiceManager.configure()
                .withHttpClient(arm.httpClient())
                .authenticate(arm.credential(Principal.GUARD), arm.profile(Fixtures.SUBSCRIPTION_ID));
    }
}
