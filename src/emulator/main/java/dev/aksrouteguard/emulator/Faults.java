package dev.aksrouteguard.emulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The injected faults still armed, in the order they were added; the first match fires. */
final class Faults {
    private static final class Armed {
        final Fault fault;
        int remaining;

        Armed(Fault fault) {
            this.fault = fault;
            this.remaining = fault.times();
        }
    }

    private final List<Armed> armed = new ArrayList<>();

    synchronized void add(Fault fault) {
        armed.add(new Armed(fault));
    }

    synchronized void clear() {
        armed.clear();
    }

    /** The first armed fault matching the request, counting one use of it; null if none. */
    synchronized @Nullable Fault take(String method, String path) {
        for (Iterator<Armed> it = armed.iterator(); it.hasNext(); ) {
            Armed candidate = it.next();
            if (candidate.fault.matches(method, path)) {
                if (candidate.remaining != Integer.MAX_VALUE && --candidate.remaining == 0) {
                    it.remove();
                }
                return candidate.fault;
            }
        }
        return null;
    }
}
