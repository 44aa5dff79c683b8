package dev.aksrouteguard.core.port;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Deployment;
import dev.aksrouteguard.core.model.ResourceId;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Port: which ARM deployments made a write. Every write of an ARM or Bicep deployment carries the deployment's
 * correlation ID, so a deployment of a resource group whose {@code properties.correlationId} equals an event's
 * {@code data.correlationId} made it. Bicep modules run as deployments of their own under their parent's correlation
 * ID, so several can match; the core picks one by what each reports it deployed. One list call of the group's
 * deployments. Implemented over ARM by {@code ArmDeployments}; the core calls it only after an outcome, off the
 * thread that repaired the subnet.
 */
public interface DeploymentLookup {

    /**
     * Every deployment in {@code resourceGroup} (a full resource group ID) whose correlation ID is
     * {@code correlationId}, in the listing's order.
     *
     * @return empty when no deployment of the group carries it (the write came from Terraform, a script, the portal)
     * @throws ArmException when the deployments cannot be listed
     */
    List<Candidate> byCorrelationId(ResourceId resourceGroup, String correlationId);

    /** No lookup: outcomes name the principal only. */
    DeploymentLookup NONE = (resourceGroup, correlationId) -> List.of();

    /**
     * A deployment carrying the correlation ID, and the resources it reports having deployed
     * ({@code properties.outputResources[].id}; empty while it runs or when ARM reports none).
     */
    record Candidate(Deployment deployment, Set<ResourceId> outputResources) {
        public Candidate {
            Objects.requireNonNull(deployment, "deployment == null");
            outputResources = Set.copyOf(outputResources);
        }

        /** A deployment that reports no output resources. */
        public static Candidate of(Deployment deployment) {
            return new Candidate(deployment, Set.of());
        }
    }
}
