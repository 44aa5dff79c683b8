package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code DefaultAzureCredential} and {@code ManagedIdentityCredential} (azure-identity 1.18, MSAL
 * inside) get a token from the emulator's App Service identity endpoint, and ARM accepts it.
 *
 * <p>This needs a child JVM: MSAL detects App Service from {@code System.getenv("IDENTITY_ENDPOINT")} and
 * {@code IDENTITY_HEADER}; the builders' {@code .configuration(...)} does not reach it. The child also
 * trusts the emulator through {@code javax.net.ssl.trustStore}, the way a separate process would.
 */
class ManagedIdentityCredentialProcessTest {
    @Test
    void defaultAzureCredentialGetsATokenFromIdentityEndpointAndArmAcceptsIt(@TempDir Path dir) throws Exception {
        try (ArmEmulator arm = ArmEmulator.start()) {
            Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
            Path trustStore = arm.writeTrustStore(dir.resolve("arm-emulator.p12"), "changeit".toCharArray());

            ProcessBuilder child = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit",
                    "-Djavax.net.ssl.trustStoreType=PKCS12",
                    "-cp", System.getProperty("java.class.path"),
                    ManagedIdentityProbe.class.getName(),
                    arm.endpoint().toString(), Fixtures.SUBSCRIPTION_ID, ArmEmulator.TENANT_ID));
            Map<String, String> environment = child.environment();
            environment.keySet().removeIf(name -> name.startsWith("AZURE_") || name.startsWith("MSI_")
                    || name.startsWith("IDENTITY_") || name.startsWith("IMDS_"));
            environment.put("IDENTITY_ENDPOINT", arm.identityEndpoint().toString());
            environment.put("IDENTITY_HEADER", arm.identityHeader());
            child.redirectErrorStream(true);
            Process process = child.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(2, TimeUnit.MINUTES), "child JVM finished");

            assertEquals(0, process.exitValue(), output);
            assertTrue(output.contains("managed-identity-token=true"), output);
            assertTrue(output.contains("same-token=true"), output + " (MSAL caches managed-identity tokens per JVM)");
            assertTrue(output.contains("virtual-networks=1"), output);
            assertTrue(arm.tokenRequests().stream().anyMatch(r -> r.status() == 200
                    && r.resource().equals("https://management.core.windows.net/")), arm.tokenRequests().toString());
            assertTrue(arm.requests().stream().allMatch(r -> Principal.GUARD.equals(r.principal()) && r.status() == 200),
                    arm.requests().toString());
        }
    }
}
