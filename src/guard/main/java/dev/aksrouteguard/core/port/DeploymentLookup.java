package dev.aksrouteguard.core.port;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Deployment;
import dev.aksrouteguard.core.model.ResourceId;
import java.util.Optional;

/**
 * Port: which ARM deployment made a write. Every write of an ARM or Bicep deployment carries the deployment's
 * correlation ID, so the deployment of a resource group whose {@code properties.correlationId} equals an event's
 * {@code data.correlationId} is the one that made it. One list call of the group's deployments. Implemented over ARM
 * by {@code ArmDeployments}; the core calls it only after an outcome, never before a repair.
 */
public interface DeploymentLookup {

    /**
     * The deployment in {@code resourceGroup} (a full resource group ID) whose correlation ID is {@code correlationId}.
     *
     * @return empty when no deployment of the group carries it (the write came from Terraform, a script, the portal)
     * @throws ArmException when the deployments cannot be listed
     */
    Optional<Deployment> byCorrelationId(ResourceId resourceGroup, String correlationId);

    /** No lookup: outcomes name the principal only. */
    DeploymentLookup NONE = (resourceGroup, correlationId) -> Optional.empty();
}
