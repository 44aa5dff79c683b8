package dev.aksrouteguard.core.model;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * An ARM (or Bicep) deployment, {@code Microsoft.Resources/deployments}: every write a deployment makes carries the
 * deployment's correlation ID, so the deployment whose {@code properties.correlationId} equals an event's
 * {@code data.correlationId} is the one that made the write. Naming it tells a platform team which template to fix,
 * where the principal alone only says which pipeline ran it.
 *
 * @param id the deployment's resource ID ({@code /subscriptions/…/resourceGroups/…/providers/Microsoft.Resources/deployments/{name}})
 * @param templateLink where the template came from: a template spec ID, or a URI without its query (a SAS signature is
 *     never kept); null when the template was sent inline
 * @param templateHash {@code properties.templateHash}, when ARM reports one
 * @param startedAt when the deployment started ({@code timestamp} less {@code duration} once it has finished), when known
 */
public record Deployment(ResourceId id, @Nullable String templateLink, @Nullable String templateHash,
        @Nullable Instant startedAt) {

    /** The resource type of a deployment. */
    public static final String TYPE = "Microsoft.Resources/deployments";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    public Deployment {
        Objects.requireNonNull(id, "id == null");
        if (!id.isType(TYPE) || id.resourceGroup() == null) {
            throw new IllegalArgumentException("not a resource group deployment: " + id);
        }
    }

    public String name() {
        return id.name();
    }

    public String resourceGroup() {
        return Objects.requireNonNull(id.resourceGroup());
    }

    /** "deployment vnet-release-42 (resource group rg-app, template https://…/vnet.json, started 2026-05-01 10:15:30 UTC)". */
    public String describe() {
        return "deployment " + summary();
    }

    /** "vnet-release-42 (resource group rg-app, template https://…/vnet.json, started 2026-05-01 10:15:30 UTC)". */
    public String summary() {
        StringBuilder sb = new StringBuilder(name()).append(" (resource group ").append(resourceGroup());
        if (templateLink != null) {
            sb.append(", template ").append(templateLink);
        } else if (templateHash != null) {
            sb.append(", template hash ").append(templateHash);
        }
        if (startedAt != null) {
            sb.append(", started ").append(TIME.format(startedAt));
        }
        return sb.append(')').toString();
    }
}
