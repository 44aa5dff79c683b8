package dev.aksrouteguard.core.model;

/** What happened to a subnet. The words are the product's vocabulary: logs, JSON, alerts, audit. */
public enum Action {
    /** Associated with the cluster's route table already; nothing written. */
    IN_SYNC("in-sync"),
    /** The route table was put back. */
    REASSOCIATED("reassociated"),
    /** Associated with a table that is not the cluster's, shared by two kubenet clusters, or ambiguous: left alone. */
    CONFLICT("conflict"),
    /** Not a kubenet node subnet (or tagged to be ignored, or a cluster being created). */
    IGNORED("ignored"),
    /** A kubenet node subnet whose route table cannot be found. */
    ROUTE_TABLE_MISSING("route-table-missing"),
    /** Drifted, and {@code REMEDIATION_MODE=report}: nothing written. */
    DRIFT_REPORTED("drift-reported"),
    /**
     * Not finished, and not a failure of the subnet: another operation kept its virtual network busy
     * ({@code AnotherOperationInProgress}, or the subnet kept reading {@code provisioningState: Updating}), the time
     * budget ran out before the work could start, or no cluster read so
     * far uses the subnet while a guarded subscription has not been read yet (a cold worker). Nothing was written; the
     * work is handed to the retry queue (events) or the next sweep.
     */
    DEFERRED("deferred"),
    /** The repair was attempted and did not succeed, or the state could not be read. */
    FAILED("failed");

    private final String word;

    Action(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** True for the outcomes a platform team must hear about (a deferred one is heard about if it never finishes). */
    public boolean isAlerted() {
        return this != IN_SYNC && this != IGNORED && this != DEFERRED;
    }

    /** True when the subnet is not in the state it should be in after this outcome. */
    public boolean isProblem() {
        return this == CONFLICT || this == ROUTE_TABLE_MISSING || this == DRIFT_REPORTED || this == FAILED;
    }

    @Override
    public String toString() {
        return word;
    }
}
