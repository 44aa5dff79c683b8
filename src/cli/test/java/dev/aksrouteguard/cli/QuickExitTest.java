package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class QuickExitTest {

    @Test
    void theSelectorOfAnIdleHttpClientStopsAndOtherThreadsAreLeftAlone() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        CountDownLatch release = new CountDownLatch(1);
        Thread bystander = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "HttpClient-1-SelectorManager-not");
        try {
            Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<Void> response = client.send(
                    HttpRequest.newBuilder(URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(204, response.statusCode());
            List<Thread> selectors = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.getName().endsWith("-SelectorManager")).toList();
            assertEquals(1, selectors.size(), "the client's selector thread: " + selectors);
            Thread selector = selectors.get(0);
            bystander.start();

            assertEquals(1, QuickExit.stopHttpSelectors(List.of(selector, bystander, Thread.currentThread())));

            selector.join(10_000);
            assertFalse(selector.isAlive(), "the selector thread ended");
            assertTrue(bystander.isAlive() && !bystander.isInterrupted(), "a thread of another name is not interrupted");
            assertFalse(Thread.currentThread().isInterrupted());
        } finally {
            release.countDown();
            server.stop(0);
        }
    }
}
