package dev.aksrouteguard.bench;

import dev.aksrouteguard.emulator.RecordedRequest;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * ARM calls as the emulator served them, by kind: list pages (a GET of a collection, first page or {@code nextLink}; a
 * resource group's deployments, listed after a repair to name the deployment that stripped the subnet, too),
 * GETs of one resource, long-running-operation polls, and writes.
 */
record ArmCalls(int lists, int gets, int polls, int writes) {

    private static final Set<String> COLLECTIONS = Set.of("managedclusters", "routetables", "virtualnetworks", "deployments");

    static ArmCalls of(List<RecordedRequest> requests) {
        int lists = 0;
        int gets = 0;
        int polls = 0;
        int writes = 0;
        for (RecordedRequest r : requests) {
            String path = r.path().toLowerCase(Locale.ROOT);
            String last = path.substring(path.lastIndexOf('/') + 1);
            if (r.isWrite()) {
                writes++;
            } else if (path.contains("/operations/") || path.contains("/operationresults/")) {
                polls++;
            } else if (COLLECTIONS.contains(last)) {
                lists++;
            } else {
                gets++;
            }
        }
        return new ArmCalls(lists, gets, polls, writes);
    }

    /** GETs of one managed cluster (a cluster or agent-pool write reads the cluster again): part of {@link #gets}. */
    static int clusterGets(List<RecordedRequest> requests) {
        int n = 0;
        for (RecordedRequest r : requests) {
            String path = r.path().toLowerCase(Locale.ROOT);
            if (r.isRead() && path.matches(".*/providers/microsoft\\.containerservice/managedclusters/[^/]+")) {
                n++;
            }
        }
        return n;
    }

    /** Every GET: what ARM counts against the read budget. */
    int reads() {
        return lists + gets + polls;
    }
}
