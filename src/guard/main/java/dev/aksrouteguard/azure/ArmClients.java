package dev.aksrouteguard.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.AddDatePolicy;
import com.azure.core.http.policy.RequestIdPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.http.policy.ArmChallengeAuthenticationPolicy;
import com.azure.core.util.Configuration;
import com.azure.core.util.CoreUtils;
import com.azure.core.util.UserAgentUtil;
import com.azure.identity.DefaultAzureCredentialBuilder;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.port.ArmTraffic;
import dev.aksrouteguard.core.port.DeploymentLookup;
import dev.aksrouteguard.core.port.GuardedSubscriptions;
import dev.aksrouteguard.core.port.Inventories;
import dev.aksrouteguard.core.port.Subnets;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The ARM side of the object graph, built once per worker: one HTTP client, one credential (bounded by
 * {@link ArmLimits#tokenDeadline()}), azure-core pipelines on the configured cloud (or endpoint override) and the
 * adapters over them. Every call names its resource by its full ID; only listings take a subscription (each guarded
 * one with its own list calls) or a management group (its descendants).
 *
 * <p>The pipelines are azure-core's, as the Azure SDK's management libraries assemble them (user agent, request ID,
 * retries, date, ARM's challenge-aware bearer-token policy), with {@link BoundedRetryPolicy} in place of azure-core's
 * {@code RetryPolicy}, whose {@code Retry-After} waits are unbounded.
 */
public final class ArmClients {

    /** Who is calling, in ARM's activity log. */
    static final String USER_AGENT = "aks-route-guard";

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The wait for a response's headers; a single ARM call answers in seconds (long work runs as an operation). */
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    /** The longest silence while a response body is read. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final CountingPolicy counting = new CountingPolicy();
    private final Subnets subnets;
    private final Inventories inventories;
    private final GuardedSubscriptions subscriptions;
    private final DeploymentLookup deployments;

    private ArmClients(Settings settings, TokenCredential credential, HttpClient httpClient, ArmLimits limits, Clock clock) {
        AzureEnvironment environment = environment(settings);
        URI endpoint = URI.create(environment.getResourceManagerEndpoint());
        String scope = environment.getManagementEndpoint() + "/.default";
        TokenCredential bounded = new BoundedCredential(credential, limits.tokenDeadline());
        // The inventory lists clusters, route tables and VNets side by side. Through one pipeline they would share one
        // token cache and wait on each other for the first token (with the SDK's async paging the loser waited a fixed
        // 500 ms, measured in docs/performance.md); a pipeline of its own per parallel listing keeps them apart.
        ArmRest network = new ArmRest(pipeline(bounded, scope, httpClient, limits), endpoint, limits);
        ArmRest aks = new ArmRest(pipeline(bounded, scope, httpClient, limits), endpoint, limits);
        ArmRest vnets = new ArmRest(pipeline(bounded, scope, httpClient, limits), endpoint, limits);
        this.subnets = new ArmSubnets(network);
        this.inventories = new ArmInventory(aks, network, vnets);
        this.subscriptions = new ArmSubscriptions(settings.scope(), new ArmRest(pipeline(bounded, scope, httpClient, limits),
                endpoint, limits), clock);
        // Naming the deployment behind a write only ever follows an outcome: its own pipeline, bounded tighter.
        this.deployments = new ArmDeployments(new ArmRest(pipeline(bounded, scope, httpClient, ArmDeployments.LIMITS), endpoint,
                ArmDeployments.LIMITS));
    }

    /** Connects to ARM as {@code settings} say, with {@code credential} over {@code httpClient}, within {@link ArmLimits#DEFAULT}. */
    public static ArmClients connect(Settings settings, TokenCredential credential, HttpClient httpClient) {
        return connect(settings, credential, httpClient, ArmLimits.DEFAULT);
    }

    /** Connects to ARM as {@code settings} say, with {@code credential} over {@code httpClient}, within {@code limits}. */
    public static ArmClients connect(Settings settings, TokenCredential credential, HttpClient httpClient, ArmLimits limits) {
        return connect(settings, credential, httpClient, limits, Clock.systemUTC());
    }

    /**
     * As {@link #connect(Settings, TokenCredential, HttpClient, ArmLimits)}, with the clock that ages a management
     * group's discovered subscriptions (the guard's clock, so that the directory and the discovery age together).
     */
    public static ArmClients connect(Settings settings, TokenCredential credential, HttpClient httpClient, ArmLimits limits,
            Clock clock) {
        Objects.requireNonNull(settings, "settings == null");
        Objects.requireNonNull(credential, "credential == null");
        Objects.requireNonNull(httpClient, "httpClient == null");
        Objects.requireNonNull(limits, "limits == null");
        Objects.requireNonNull(clock, "clock == null");
        return new ArmClients(settings, credential, httpClient, limits, clock);
    }

    private HttpPipeline pipeline(TokenCredential credential, String scope, HttpClient httpClient, ArmLimits limits) {
        return new HttpPipelineBuilder()
                .httpClient(httpClient)
                .policies(new UserAgentPolicy(USER_AGENT), new RequestIdPolicy(), new BoundedRetryPolicy(limits),
                        new AddDatePolicy(), new ArmChallengeAuthenticationPolicy(credential, scope), counting)
                .build();
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
                .readTimeout(READ_TIMEOUT)
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
        if (appServiceManagedIdentity(configuration)) {
            builder.httpPipeline(identityPipeline(httpClient, configuration));
        }
        if (settings.clientId() != null) {
            builder.managedIdentityClientId(settings.clientId());
        }
        return builder.build();
    }

    /**
     * True for an App Service–style managed identity ({@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER}: Azure
     * Functions, App Service, the local emulator), and not Service Fabric or Azure Arc, which set more.
     */
    static boolean appServiceManagedIdentity(Configuration configuration) {
        return configuration.get("IDENTITY_ENDPOINT") != null && configuration.get("IDENTITY_HEADER") != null
                && configuration.get("IDENTITY_SERVER_THUMBPRINT") == null && configuration.get("IMDS_ENDPOINT") == null;
    }

    /**
     * The pipeline azure-identity builds for its token requests with an App Service managed identity — its user agent,
     * azure-core's default retry — without its {@code HttpLoggingPolicy}: that class's initializer builds a Jackson
     * {@code ObjectMapper} to pretty-print bodies the guard never logs, about 400 classes and their reflective set-up on
     * every cold start (docs/performance.md, "Cold start"). Elsewhere (on a VM, through IMDS) azure-identity adds a retry
     * strategy of its own, so it keeps building its pipeline there.
     */
    static HttpPipeline identityPipeline(HttpClient httpClient, Configuration configuration) {
        Map<String, String> sdk = CoreUtils.getProperties("azure-identity.properties");
        String userAgent = UserAgentUtil.toUserAgentString(null, sdk.getOrDefault("name", "UnknownName"),
                sdk.getOrDefault("version", "UnknownVersion"), configuration);
        return new HttpPipelineBuilder()
                .httpClient(httpClient)
                .policies(new UserAgentPolicy(userAgent), new RetryPolicy())
                .build();
    }

    public Subnets subnets() {
        return subnets;
    }

    /** Each subscription's listings (and any cluster by its full ID). */
    public Inventories inventories() {
        return inventories;
    }

    /** The guarded subscriptions: fixed by the settings, or a management group's, discovered through ARM. */
    public GuardedSubscriptions subscriptions() {
        return subscriptions;
    }

    /** Which ARM deployment made a write, by the write's correlation ID. */
    public DeploymentLookup deployments() {
        return deployments;
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
