package dev.aksrouteguard.core;

import java.util.concurrent.ThreadFactory;

/** The core's worker threads: daemons (a pending task never keeps a JVM alive), named for thread dumps and profiles. */
final class Daemons {

    private Daemons() {}

    static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
