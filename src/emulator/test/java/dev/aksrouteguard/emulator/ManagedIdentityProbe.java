package dev.aksrouteguard.emulator;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.resourcemanager.network.NetworkManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Run in a child JVM by {@link ManagedIdentityCredentialProcessTest} with {@code IDENTITY_ENDPOINT} and
 * {@code IDENTITY_HEADER} in its environment and the emulator's trust store as the JVM default, exactly
 * as the Functions host would run the guard: the production-style credential and HTTP client, no
 * emulator classes. Args: ARM endpoint, subscription id, tenant id.
 */
final class ManagedIdentityProbe {
    private ManagedIdentityProbe() {
    }

    public static void main(String[] args) {
        TokenRequestContext arm = new TokenRequestContext().addScopes("https://management.core.windows.net//.default");
        TokenCredential managedIdentity = new ManagedIdentityCredentialBuilder().build();
        AccessToken fromManagedIdentity = managedIdentity.getTokenSync(arm);
        TokenCredential defaultCredential = new DefaultAzureCredentialBuilder().build();
        AccessToken fromDefault = defaultCredential.getTokenSync(arm);

        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", args[0]);
        AzureProfile profile = new AzureProfile(args[2], args[1], new AzureEnvironment(endpoints));
        NetworkManager network = NetworkManager.configure()
                .withHttpClient(new JdkHttpClientBuilder().build()) // default SSLContext: -Djavax.net.ssl.trustStore
                .authenticate(defaultCredential, profile);
        long virtualNetworks = network.serviceClient().getVirtualNetworks().list().stream().count();

        System.out.println("managed-identity-token=" + !fromManagedIdentity.getToken().isEmpty());
        System.out.println("same-token=" + fromManagedIdentity.getToken().equals(fromDefault.getToken()));
        System.out.println("virtual-networks=" + virtualNetworks);
    }
}
