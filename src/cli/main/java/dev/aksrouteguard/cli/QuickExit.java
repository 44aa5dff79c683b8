package dev.aksrouteguard.cli;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Lets the JVM exit as soon as a command has finished. JDK 17's {@code java.net.http.HttpClient} has no {@code close()}:
 * its selector thread ({@code HttpClient-N-SelectorManager}) sits in {@code epoll_wait}, in native code, until the
 * client is collected, and at exit HotSpot waits up to 300 ms for threads in native code to stop (measured: 0.3 s of
 * wall time between a command's last output and the end of the process; docs/performance.md, "Cold start").
 * Interrupting the selector thread ends its loop, as {@code HttpClient.close()} would on JDK 21+. Called only once the
 * command has returned, so no request is in flight; a thread of another name is left alone, and a JDK whose selector is
 * named otherwise only exits as slowly as before.
 */
final class QuickExit {

    private static final Pattern SELECTOR = Pattern.compile("HttpClient-\\d+-SelectorManager");

    private QuickExit() {}

    /** Interrupts the HTTP clients' selector threads; returns how many it interrupted. */
    static int stopHttpSelectors() {
        return stopHttpSelectors(Thread.getAllStackTraces().keySet());
    }

    /** As {@link #stopHttpSelectors()}, among {@code threads}. */
    static int stopHttpSelectors(Collection<Thread> threads) {
        int stopped = 0;
        for (Thread t : threads) {
            if (SELECTOR.matcher(t.getName()).matches()) {
                t.interrupt();
                stopped++;
            }
        }
        return stopped;
    }
}
