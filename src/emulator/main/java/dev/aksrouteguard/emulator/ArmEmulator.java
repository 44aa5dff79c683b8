package dev.aksrouteguard.emulator;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import reactor.core.publisher.Mono;

/**
 * A local, stateful Azure Resource Manager for tests and the demo: HTTPS on {@code 127.0.0.1} with a
 * self-signed certificate, an App Service style managed-identity endpoint on plain loopback HTTP, ARM
 * semantics for VNets, subnets, route tables, NSGs, NAT gateways, service endpoint policies, AKS clusters
 * and agent pools (PUT replaces, etags, async operations, paging), Event Grid events for every write,
 * optional RBAC, fault injection and a request log.
 *
 * <pre>{@code
 * try (ArmEmulator arm = ArmEmulator.start()) {
 *   SeededCluster cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
 *   NetworkManager network = NetworkManager.configure().withHttpClient(arm.httpClient())
 *       .authenticate(arm.credential(Principal.GUARD), arm.profile(Fixtures.SUBSCRIPTION_ID));
 * }
 * }</pre>
 *
 * <p>Thread-safe. Call {@link #close()} to stop both servers and their threads.
 */
public final class ArmEmulator implements AutoCloseable {
    /** The tenant every principal and event belongs to. */
    public static final String TENANT_ID = "3c8e2a51-7d4f-4b6a-9e1c-5f2d8a7b0c64";
    private static final System.Logger LOGGER = System.getLogger(ArmEmulator.class.getName());
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Clock clock = Clock.system(ZoneOffset.UTC);
    private final TlsIdentity tls;
    private final String identityHeader = HexFormat.of().formatHex(randomBytes(16));
    private final RequestLog log = new RequestLog();
    private final Rbac rbac = new Rbac();
    private final Faults faults = new Faults();
    private final ManagementGroups hierarchy = new ManagementGroups(TENANT_ID);
    private final List<JsonObject> events = new ArrayList<>();
    private final List<Consumer<JsonObject>> listeners = new CopyOnWriteArrayList<>();
    private final ArmState state;
    private final String threadNamePrefix = "arm-emulator-" + INSTANCES.incrementAndGet() + "-";
    private final ExecutorService armThreads = Executors.newFixedThreadPool(4, threads("https"));
    private final ExecutorService identityThreads = Executors.newFixedThreadPool(2, threads("identity"));
    private final ExecutorService eventThread = Executors.newSingleThreadExecutor(threads("events"));
    private final HttpsServer armServer;
    private final HttpServer identityServer;
    private final URI endpoint;
    private volatile int pageSize = 100;
    private volatile Duration tokenDelay = Duration.ZERO;

    private ArmEmulator() throws IOException {
        tls = TlsIdentity.generate(clock.instant());
        state = new ArmState(TENANT_ID, clock, this::publish);
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        armServer = HttpsServer.create(loopback, 0);
        armServer.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        endpoint = URI.create("https://127.0.0.1:" + armServer.getAddress().getPort() + "/");
        state.endpoint(endpoint.toString());
        armServer.createContext("/", new ArmHandler(state, rbac, faults, log, clock, () -> pageSize, TENANT_ID,
                endpoint.toString(), hierarchy));
        armServer.setExecutor(armThreads);
        identityServer = HttpServer.create(loopback, 0);
        identityServer.createContext(IdentityEndpoint.PATH,
                new IdentityEndpoint(identityHeader, Principal.GUARD, clock, log, () -> tokenDelay));
        identityServer.setExecutor(identityThreads);
        armServer.start();
        identityServer.start();
    }

    /**
     * Starts both servers on free loopback ports. Turns on TCP_NODELAY for the JDK's HTTP server in this JVM (unless
     * set otherwise): without it Nagle's algorithm adds about 40 ms to many responses, which is not ARM's behaviour.
     */
    public static ArmEmulator start() {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        try {
            return new ArmEmulator();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the ARM emulator", e);
        }
    }

    // ------------------------------------------------------------------ transport and identity

    /** The ARM endpoint, {@code https://127.0.0.1:<port>/}: the {@code resourceManager} endpoint for the SDK. */
    public URI endpoint() {
        return endpoint;
    }

    /** The self-signed certificate the ARM endpoint presents (for 127.0.0.1 and localhost). */
    public X509Certificate certificate() {
        return tls.certificate();
    }

    /** A client TLS context that trusts the emulator's certificate and nothing else. */
    public SSLContext clientSslContext() {
        return tls.clientContext();
    }

    /**
     * Writes a PKCS12 trust store holding only the emulator's certificate, for a separate JVM
     * ({@code -Djavax.net.ssl.trustStore=<file> -Djavax.net.ssl.trustStorePassword=<password>
     * -Djavax.net.ssl.trustStoreType=PKCS12}).
     */
    public Path writeTrustStore(Path file, char[] password) throws IOException {
        tls.writeTrustStore(file, password);
        return file;
    }

    /** An Azure SDK HTTP client (JDK HttpClient) that trusts the emulator; build it once and share it. */
    public HttpClient httpClient() {
        return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(clientSslContext())).build();
    }

    /**
     * The public Azure cloud with {@code resourceManagerEndpointUrl} pointed at the emulator. Start from the
     * full public-cloud map: the SDK derives the token scope from {@code managementEndpointUrl}
     * ({@code https://management.core.windows.net//.default}, as in Azure); without it the scope would be
     * {@code null/.default}.
     */
    public AzureEnvironment azureEnvironment() {
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", endpoint.toString());
        return new AzureEnvironment(endpoints);
    }

    /** An {@code AzureProfile} for this subscription in the emulator's tenant and environment. */
    public AzureProfile profile(String subscriptionId) {
        Objects.requireNonNull(subscriptionId, "subscriptionId == null");
        return new AzureProfile(TENANT_ID, subscriptionId, azureEnvironment());
    }

    /** {@code IDENTITY_ENDPOINT}: {@code http://127.0.0.1:<port>/msi/token}. */
    public URI identityEndpoint() {
        return URI.create("http://127.0.0.1:" + identityServer.getAddress().getPort() + IdentityEndpoint.PATH);
    }

    /** {@code IDENTITY_HEADER}: the secret the identity endpoint requires in {@code X-IDENTITY-HEADER}. */
    public String identityHeader() {
        return identityHeader;
    }

    /** A bearer token for this principal, accepted by any emulator in this JVM for 24 hours. */
    public String issueToken(Principal principal) {
        Objects.requireNonNull(principal, "principal == null");
        return Tokens.issue(principal, clock.instant().plus(IdentityEndpoint.TOKEN_LIFETIME));
    }

    /**
     * A credential that hands out {@link #issueToken tokens} for this principal without HTTP, for in-process
     * callers. (The real managed-identity credential works too, but MSAL reads {@code IDENTITY_ENDPOINT}
     * and {@code IDENTITY_HEADER} from the process environment only.)
     */
    public TokenCredential credential(Principal principal) {
        Objects.requireNonNull(principal, "principal == null");
        return request -> {
            Mono<AccessToken> token = Mono.fromSupplier(() -> {
                Instant expiresOn = clock.instant().plus(IdentityEndpoint.TOKEN_LIFETIME);
                return new AccessToken(Tokens.issue(principal, expiresOn), expiresOn.atOffset(ZoneOffset.UTC));
            });
            Duration wait = tokenDelay;
            return wait.isZero() ? token : token.delaySubscription(wait);
        };
    }

    /**
     * Makes the managed-identity endpoint, and {@link #credential(Principal)}, wait this long before handing out a
     * token (default zero). {@code Duration.ofHours(1)} plays a token endpoint that hangs; {@link #close()} still
     * ends at once.
     */
    public ArmEmulator tokenDelay(Duration delay) {
        Objects.requireNonNull(delay, "delay == null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        this.tokenDelay = delay;
        return this;
    }

    // ------------------------------------------------------------------ behaviour

    /** Items per list page before a {@code nextLink} (default 100). */
    public ArmEmulator pageSize(int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize < 1: " + pageSize);
        }
        this.pageSize = pageSize;
        return this;
    }

    /**
     * How async operations behave (default 1 and 1): each answers {@code InProgress} to this many polls,
     * then {@code Succeeded}; every answer carries {@code Retry-After: retryAfterSeconds}. The SDK waits
     * that long between polls, but treats 0 as absent and falls back to its default interval (30 s), so
     * keep it at 1 or more.
     */
    public ArmEmulator asyncOperations(int inProgressPolls, int retryAfterSeconds) {
        if (inProgressPolls < 0 || retryAfterSeconds < 0) {
            throw new IllegalArgumentException("negative: " + inProgressPolls + ", " + retryAfterSeconds);
        }
        state.asyncOperations(inProgressPolls, retryAfterSeconds);
        return this;
    }

    /**
     * Answers Network and AKS writes as already complete (200/201, {@code provisioningState: Succeeded}, no
     * {@code Azure-AsyncOperation}), which ARM allows and the SDK accepts without polling: for fast suites
     * that do not test polling. Default false: writes are long-running, as in Azure.
     */
    public ArmEmulator synchronousWrites(boolean enabled) {
        state.synchronousWrites(enabled);
        return this;
    }

    /** Whether a write to a VNet (or cluster) with an operation in progress fails 409 (default true). */
    public ArmEmulator conflictOnConcurrentWrites(boolean enabled) {
        state.conflictOnConcurrentWrites(enabled);
        return this;
    }

    /**
     * Whether a PUT to a VNet (or one of its subnets) with an operation in progress is accepted and ends that operation
     * {@code Canceled} ({@code CanceledAndSupersededDueToAnotherOperation}, and a {@code ResourceWriteCancel} event),
     * instead of failing 409 (default false). Network RP answers both ways; which one when is not documented. Deletes
     * still fail 409, and so does a write to a cluster: AKS refuses every operation while another runs.
     */
    public ArmEmulator supersedeConcurrentWrites(boolean enabled) {
        state.supersedeConcurrentWrites(enabled);
        return this;
    }

    /**
     * Leaves a subnet's {@code ipConfigurations} out of listings of virtual networks (by subscription or resource group)
     * when it has more than {@code limit} of them; a GET of the subnet still carries them all. Default: no limit. This
     * plays what a Network RP engineer described in cilium/cilium#36379 ("IPConfigurations can be set to nil when the
     * number of ipconfigs exceeds a limit", seen in listings of virtual networks); the limit itself is not documented.
     */
    public ArmEmulator listedIpConfigurationsLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit < 0: " + limit);
        }
        state.listedIpConfigurationsLimit(limit);
        return this;
    }

    /** Completes every async operation still in progress (clients that never poll leave them open). */
    public int settlePendingOperations() {
        return state.settle();
    }

    // ------------------------------------------------------------------ management groups and subscriptions

    /** The tenant root group's ID (the tenant ID, as in Azure): every group descends from it. */
    public String tenantRootGroup() {
        return hierarchy.rootId();
    }

    /**
     * Adds a management group under {@code parentGroupId} ({@link #tenantRootGroup()} for the top level), served at
     * {@code GET /providers/Microsoft.Management/managementGroups/{groupId}} and in its ancestors' descendants.
     *
     * @throws IllegalArgumentException if the parent does not exist or the group does
     */
    public ArmEmulator managementGroup(String groupId, String displayName, String parentGroupId) {
        hierarchy.addGroup(groupId, displayName, parentGroupId);
        return this;
    }

    /**
     * Places a subscription, with its display name, in a management group (or moves it there, renamed): it is then in
     * that group's and its ancestors' descendants, {@code GET /subscriptions/{id}} answers its display name, and RBAC
     * grants at those groups apply to it. Resources can live in any subscription, placed or not.
     */
    public ArmEmulator subscription(String subscriptionId, String displayName, String managementGroupId) {
        hierarchy.placeSubscription(subscriptionId, displayName, managementGroupId);
        return this;
    }

    /** Moves a placed subscription to another management group; grants at its former groups no longer apply. */
    public ArmEmulator moveSubscription(String subscriptionId, String managementGroupId) {
        hierarchy.moveSubscription(subscriptionId, managementGroupId);
        return this;
    }

    // ------------------------------------------------------------------ RBAC

    /**
     * Turns RBAC on (for the guard's identity unless {@link #enforceRbacFor} says otherwise) and allows
     * these actions everywhere; ARM wildcards such as {@code Microsoft.Network/*}{@code /read} work.
     */
    public ArmEmulator allowActions(Set<String> actions) {
        return allowActions("/", actions);
    }

    /**
     * Like {@link #allowActions(Set)}, but only at this scope and below (e.g. a resource group id, a subscription
     * {@code /subscriptions/{id}}, or a management group {@code /providers/Microsoft.Management/managementGroups/{id}},
     * whose grants cover the subscriptions placed below it). A principal restricted this way is refused (403) every
     * call outside the scopes granted, e.g. every list call of a subscription it was not granted.
     */
    public ArmEmulator allowActions(String scope, Set<String> actions) {
        rbac.allow(scope, actions);
        return this;
    }

    /** Which principals RBAC restricts (default: only {@link Principal#GUARD}). */
    public ArmEmulator enforceRbacFor(Principal... principals) {
        rbac.restrict(Set.of(principals));
        return this;
    }

    /** Turns RBAC off and forgets the allowed actions. */
    public ArmEmulator disableRbac() {
        rbac.disable();
        return this;
    }

    /**
     * The RBAC action ARM checks for a request, e.g. {@code PUT .../virtualNetworks/v/subnets/s} is
     * {@code Microsoft.Network/virtualNetworks/subnets/write}; operation polls are
     * {@code Microsoft.Network/locations/operations/read}; a management group's descendants are
     * {@code Microsoft.Management/managementGroups/descendants/read}.
     *
     * @throws IllegalArgumentException if the path is neither an ARM subscription path nor a management group's
     */
    public static String rbacAction(String method, String path) {
        int query = path.indexOf('?');
        java.util.Optional<ManagementGroups.GroupPath> group = ManagementGroups.parse(query < 0 ? path : path.substring(0, query));
        return group.isPresent() ? ManagementGroups.action(method, group.get()) : Rbac.action(method, path);
    }

    // ------------------------------------------------------------------ faults

    /** Arms a fault; the first armed fault matching a request fires. */
    public ArmEmulator inject(Fault fault) {
        faults.add(Objects.requireNonNull(fault, "fault == null"));
        return this;
    }

    /** Disarms every fault. */
    public ArmEmulator clearFaults() {
        faults.clear();
        return this;
    }

    // ------------------------------------------------------------------ request log

    /** Every ARM request served, in order (token requests are in {@link #tokenRequests()}). */
    public List<RecordedRequest> requests() {
        return log.requests();
    }

    /** Every managed-identity token request served. */
    public List<TokenRequest> tokenRequests() {
        return log.tokenRequests();
    }

    /** Forgets the logged ARM and token requests. */
    public void clearRequests() {
        log.clear();
    }

    /** How many GET/HEAD requests were served. */
    public long readCount() {
        return log.count(false);
    }

    /** How many PUT/PATCH/POST/DELETE requests were served. */
    public long writeCount() {
        return log.count(true);
    }

    // ------------------------------------------------------------------ events

    /**
     * Returns and forgets the events published so far: {@code Microsoft.Resources.ResourceWriteSuccess}
     * (and {@code ...WriteFailure}, {@code ...DeleteSuccess}) in the Event Grid schema, one per HTTP write,
     * published when the write completes.
     */
    public List<JsonObject> drainEvents() {
        synchronized (events) {
            List<JsonObject> drained = new ArrayList<>(events);
            events.clear();
            return drained;
        }
    }

    /** Copies of the events not yet drained. */
    public List<JsonObject> events() {
        synchronized (events) {
            List<JsonObject> copies = new ArrayList<>(events.size());
            events.forEach(event -> copies.add(event.deepCopy()));
            return copies;
        }
    }

    /**
     * Delivers each future event to the listener, in order, on one emulator thread (like Event Grid, not on
     * the request thread: the listener may call ARM).
     */
    public ArmEmulator onEvent(Consumer<JsonObject> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener == null"));
        return this;
    }

    private void publish(JsonObject event) {
        synchronized (events) {
            events.add(event);
        }
        for (Consumer<JsonObject> listener : listeners) {
            JsonObject copy = event.deepCopy();
            eventThread.execute(() -> {
                try {
                    listener.accept(copy);
                } catch (RuntimeException e) {
                    LOGGER.log(System.Logger.Level.WARNING, "event listener failed", e);
                }
            });
        }
    }

    // ------------------------------------------------------------------ seeding and inspection

    /**
     * Writes a resource directly (no HTTP, no event, no log, no validation), keeping server-owned
     * properties given in the body (e.g. a subnet's {@code ipConfigurations}); sets {@code id}, {@code name},
     * {@code type}, a new etag and {@code provisioningState: Succeeded} where absent. A child id
     * ({@code .../subnets/s}) writes into its parent; a missing resource group is created.
     */
    public void put(String id, JsonObject resource) {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(resource, "resource == null");
        state.seed(id, resource);
    }

    /** The resource as a GET would answer it (computed back-references included), if it exists. */
    public Optional<JsonObject> get(String id) {
        return state.snapshot(Objects.requireNonNull(id, "id == null"));
    }

    /** Removes a resource directly (no checks, no event); true if it existed. */
    public boolean delete(String id) {
        return state.remove(Objects.requireNonNull(id, "id == null"));
    }

    /** How many top-level resources (resource groups included) are stored. */
    public int resourceCount() {
        return state.size();
    }

    /** Stops both servers and all emulator threads (waiting a few seconds for them to end). */
    @Override
    public void close() {
        armServer.stop(0);
        identityServer.stop(0);
        armThreads.shutdownNow();
        identityThreads.shutdownNow();
        eventThread.shutdown();
        try {
            for (ExecutorService threads : List.of(armThreads, identityThreads, eventThread)) {
                if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOGGER.log(System.Logger.Level.WARNING, "emulator threads still running after close");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ArmEmulator[" + endpoint + ", identity " + identityEndpoint() + "]";
    }

    /** Names of this emulator's threads start with this, e.g. {@code arm-emulator-3-https-1}. */
    String threadNamePrefix() {
        return threadNamePrefix;
    }

    private ThreadFactory threads(String role) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, threadNamePrefix + role + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
