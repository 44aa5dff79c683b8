package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;

/** What the pure rule concludes about one subnet. A closed set: the reconciler maps each to an {@link Action}. */
sealed interface Verdict {

    /** Why, in one sentence a platform engineer can act on. */
    String why();

    /** The subnet is associated with the cluster's route table. */
    record InSync(Cluster cluster, ResourceId routeTable, String why) implements Verdict {}

    /** The subnet lost its association; {@code routeTable} is the cluster's table to put back. */
    record Reassociate(Cluster cluster, ResourceId routeTable, String why) implements Verdict {}

    /** Something that must not be changed by a machine: a different table on purpose, a shared subnet, ambiguity. */
    record Conflict(@Nullable Cluster cluster, @Nullable ResourceId expected, String why, String nextStep) implements Verdict {}

    /** Not ours to guard: not a kubenet node subnet, tagged to be ignored, a cluster still being created. */
    record Ignore(@Nullable Cluster cluster, String why) implements Verdict {}

    /** A kubenet node subnet without a route table, and no route table of the cluster can be found. */
    record RouteTableMissing(Cluster cluster, String why, String nextStep) implements Verdict {}
}
