package dev.aksrouteguard.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.Configuration;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.containerservice.ContainerServiceManager;
import com.azure.resourcemanager.network.NetworkManager;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.port.ArmTraffic;
import dev.aksrouteguard.core.port.InventorySource;
import dev.aksrouteguard.core.port.Subnets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The ARM side of the object graph, built once per worker: one HTTP client, one credential, the Network and
 * ContainerService managers on the configured cloud (or endpoint override), and the adapters over them.
 */
public final class ArmClients {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    private final CountingPolicy counting = new CountingPolicy();
    private final Subnets subnets;
    private final InventorySource inventory;

    private ArmClients(Settings settings, TokenCredential credential, HttpClient httpClient) {
        AzureProfile profile = new AzureProfile(null, settings.subscriptionId(), environment(settings));
        NetworkManager network = NetworkManager.configure()
                .withHttpClient(httpClient)
                .withPolicy(counting)
                .withPolicy(new IfMatchPolicy())
                .authenticate(credential, profile);
        ContainerServiceManager aks = ContainerServiceManager.configure()
                .withHttpClient(httpClient)
                .withPolicy(counting)
                .authenticate(credential, profile);
        // The inventory lists route tables and VNets side by side. Through one pipeline, the loser of a race for the
        // token (paged list calls take azure-core's async path) waits a fixed 500 ms in AccessTokenCache
        // (azure-core 1.60.0; measured in docs/performance.md). A pipeline of its own per parallel list avoids it.
        NetworkManager vnets = NetworkManager.configure()
                .withHttpClient(httpClient)
                .withPolicy(counting)
                .authenticate(credential, profile);
        this.subnets = new ArmSubnets(network.serviceClient().getSubnets());
        this.inventory = new ArmInventory(aks.serviceClient().getManagedClusters(),
                network.serviceClient().getRouteTables(), vnets.serviceClient().getVirtualNetworks());
    }

    /** Connects to ARM as {@code settings} say, with {@code credential} over {@code httpClient}. */
    public static ArmClients connect(Settings settings, TokenCredential credential, HttpClient httpClient) {
        Objects.requireNonNull(settings, "settings == null");
        Objects.requireNonNull(credential, "credential == null");
        Objects.requireNonNull(httpClient, "httpClient == null");
        return new ArmClients(settings, credential, httpClient);
    }

    /**
     * The HTTP client for ARM and the token endpoint (JDK HttpClient, no Netty). {@code trust}, when given, replaces
     * the JVM's trust store (the local emulator's self-signed certificate); certificate and host-name verification
     * stay on either way.
     */
    public static HttpClient httpClient(@Nullable SSLContext trust) {
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
        if (trust != null) {
            jdk.sslContext(trust);
        }
        return new JdkHttpClientBuilder(jdk)
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(RESPONSE_TIMEOUT)
                .build();
    }

    /**
     * {@code DefaultAzureCredential}: managed identity in Azure (the user-assigned one when {@code AZURE_CLIENT_ID} is
     * set), {@code az login} or environment credentials locally. {@code configuration} is where it reads
     * {@code IDENTITY_ENDPOINT}/{@code IDENTITY_HEADER} and friends: the process environment in production.
     */
    public static TokenCredential credential(Settings settings, HttpClient httpClient, Configuration configuration) {
        DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder()
                .authorityHost(settings.cloud().authorityHost().toString())
                .httpClient(httpClient)
                .configuration(configuration);
        if (settings.clientId() != null) {
            builder.managedIdentityClientId(settings.clientId());
        }
        return builder.build();
    }

    public Subnets subnets() {
        return subnets;
    }

    public InventorySource inventory() {
        return inventory;
    }

    /** Every ARM request this graph has sent (retries and operation polls included). */
    public ArmTraffic traffic() {
        return counting;
    }

    static AzureEnvironment environment(Settings settings) {
        AzureEnvironment base = switch (settings.cloud()) {
            case AZURE_CLOUD -> AzureEnvironment.AZURE;
            case AZURE_CHINA_CLOUD -> AzureEnvironment.AZURE_CHINA;
            case AZURE_US_GOVERNMENT -> AzureEnvironment.AZURE_US_GOVERNMENT;
        };
        if (settings.resourceManagerEndpoint() == null) {
            return base;
        }
        Map<String, String> endpoints = new HashMap<>(base.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", settings.resourceManagerEndpoint().toString());
        return new AzureEnvironment(endpoints);
    }
}
