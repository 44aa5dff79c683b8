package dev.aksrouteguard.azure;

import com.azure.json.JsonReader;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Deployment;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.port.DeploymentLookup;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which ARM deployment made a write: one listing of the resource group's deployments,
 * {@code GET /subscriptions/{id}/resourcegroups/{group}/providers/Microsoft.Resources/deployments}
 * ({@code Deployments_ListByResourceGroup}, paged by {@code nextLink}), matched by {@code properties.correlationId}.
 * The shapes are azure-rest-api-specs' {@code Microsoft.Resources/deployments/stable/2025-04-01/deployments.json}
 * ({@code DeploymentExtended}, {@code DeploymentPropertiesExtended}: {@code correlationId}, {@code timestamp},
 * {@code duration}, {@code templateHash}, {@code templateLink}, {@code outputResources}); docs/emulator.md cites the
 * commit. Every match is answered, in the listing's order: a Bicep module's deployment shares its parent's correlation
 * ID, and the core chooses between them.
 *
 * <p>Bounded tighter than the other listings ({@link #LIMITS}): the answer only names the writer in an alert. A
 * listing that cannot be trusted (a page without {@code value}, an item from another resource group) fails rather
 * than naming the wrong deployment. A template link's query string (which can carry a SAS signature) is never kept.
 */
final class ArmDeployments implements DeploymentLookup {

    static final String API_VERSION = "2025-04-01";

    /** A lookup gives up after 10 s and 10 pages (1,000 deployments at 100 a page; ARM keeps at most 800 per group). */
    static final ArmLimits LIMITS = new ArmLimits(ArmLimits.TOKEN_DEADLINE, Duration.ofSeconds(5), 1, Duration.ofSeconds(5),
            ArmLimits.OPERATION_DEADLINE, Duration.ofSeconds(10), 10);

    private static final Set<String> FINISHED = Set.of("succeeded", "failed", "canceled");

    private final ArmRest rest;

    ArmDeployments(ArmRest rest) {
        this.rest = Objects.requireNonNull(rest, "rest == null");
    }

    @Override
    public List<Candidate> byCorrelationId(ResourceId resourceGroup, String correlationId) {
        Objects.requireNonNull(resourceGroup, "resourceGroup == null");
        Objects.requireNonNull(correlationId, "correlationId == null");
        if (resourceGroup.resourceGroup() == null || !resourceGroup.type().isEmpty()) {
            throw new IllegalArgumentException("not a resource group ID: " + resourceGroup);
        }
        String what = "list deployments of resource group " + resourceGroup.resourceGroup();
        String prefix = (resourceGroup + "/providers/" + Deployment.TYPE + "/").toLowerCase(Locale.ROOT);
        List<JsonObject> items = rest.list(resourceGroup.subscriptionId(), "/resourceGroups/" + resourceGroup.resourceGroup()
                + "/providers/" + Deployment.TYPE, API_VERSION, what, ArmDeployments::item);
        List<Candidate> matches = new ArrayList<>();
        for (JsonObject item : items) {
            String id = ArmErrors.string(item, "id");
            if (id == null || !ResourceId.isValid(id) || !id.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                throw ArmErrors.invalid(what + ": an item is not a deployment of the group (" + id + "); the listing cannot be trusted");
            }
            JsonObject properties = item.get("properties") instanceof JsonObject p ? p : new JsonObject();
            String correlation = ArmErrors.string(properties, "correlationId");
            if (correlation != null && correlation.trim().equalsIgnoreCase(correlationId.trim())) {
                matches.add(new Candidate(new Deployment(ResourceId.parse(id), templateLink(properties),
                        ArmErrors.string(properties, "templateHash"), startedAt(properties)), outputResources(properties)));
            }
        }
        return List.copyOf(matches);
    }

    /**
     * {@code properties.outputResources[].id} ({@code ResourceReference}), the valid IDs only: what a deployment reports
     * having deployed, which tells a module that declared the VNet from its parent (they share the correlation ID).
     */
    static Set<ResourceId> outputResources(JsonObject properties) {
        if (!(properties.get("outputResources") instanceof JsonArray resources)) {
            return Set.of();
        }
        Set<ResourceId> ids = new LinkedHashSet<>();
        for (JsonElement e : resources) {
            String id = e instanceof JsonObject o ? ArmErrors.string(o, "id") : null;
            if (id != null && ResourceId.isValid(id)) {
                ids.add(ResourceId.parse(id));
            }
        }
        return ids;
    }

    private static JsonObject item(JsonReader reader) throws IOException {
        JsonElement parsed = StrictJson.parse(reader.readChildren().getBytes(StandardCharsets.UTF_8));
        if (!(parsed instanceof JsonObject o)) {
            throw new IOException("a deployment that is not a JSON object");
        }
        return o;
    }

    /** A template spec's ID, or the template URI without query or fragment (a SAS token is a secret), or null. */
    static @Nullable String templateLink(JsonObject properties) {
        if (!(properties.get("templateLink") instanceof JsonObject link)) {
            return null;
        }
        String spec = ArmErrors.string(link, "id");
        if (spec != null && !spec.isBlank()) {
            return spec;
        }
        String uri = ArmErrors.string(link, "uri");
        if (uri == null || uri.isBlank()) {
            String relative = ArmErrors.string(link, "relativePath");
            return relative == null || relative.isBlank() ? null : relative;
        }
        try {
            URI u = new URI(uri);
            return new URI(u.getScheme(), u.getAuthority(), u.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            int cut = uri.indexOf('?');
            return cut < 0 ? uri : uri.substring(0, cut);
        }
    }

    /** {@code timestamp}, less {@code duration} once the deployment has finished (then the timestamp is its end). */
    static @Nullable Instant startedAt(JsonObject properties) {
        String timestamp = ArmErrors.string(properties, "timestamp");
        if (timestamp == null) {
            return null;
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(timestamp).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
        String state = ArmErrors.string(properties, "provisioningState");
        String duration = ArmErrors.string(properties, "duration");
        if (state != null && FINISHED.contains(state.toLowerCase(Locale.ROOT)) && duration != null) {
            try {
                return at.minus(Duration.parse(duration));
            } catch (DateTimeParseException | ArithmeticException e) {
                return at;
            }
        }
        return at;
    }
}
