package dev.aksrouteguard.emulator;

import java.util.ArrayList;
import java.util.List;

/** The ARM requests and token requests served, in arrival order of their answers. */
final class RequestLog {
    private final List<RecordedRequest> requests = new ArrayList<>();
    private final List<TokenRequest> tokenRequests = new ArrayList<>();

    synchronized void record(RecordedRequest request) {
        requests.add(request);
    }

    synchronized void record(TokenRequest request) {
        tokenRequests.add(request);
    }

    synchronized List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    synchronized List<TokenRequest> tokenRequests() {
        return List.copyOf(tokenRequests);
    }

    synchronized void clear() {
        requests.clear();
        tokenRequests.clear();
    }

    synchronized long count(boolean writes) {
        return requests.stream().filter(r -> r.isWrite() == writes).count();
    }
}
