package dev.aksrouteguard.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A local stand-in for a Teams webhook: records every request and answers from a script (202 when the script is
 * empty, as a Workflows webhook does). Works as an HTTP proxy too, so a request for a foreign host (a legacy
 * {@code *.webhook.office.com} URL) reaches it unchanged: see {@link #proxyClient()}.
 */
public final class FakeTeams implements AutoCloseable {

    public record Request(String method, String uri, String host, String contentType, String body) {}

    public record Response(int status, Map<String, String> headers, String body) {}

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final Deque<Response> script = new ArrayDeque<>();

    public FakeTeams() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Response answer;
            synchronized (this) {
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                        exchange.getRequestHeaders().getFirst("Host"),
                        exchange.getRequestHeaders().getFirst("Content-Type"), body));
                answer = script.isEmpty() ? new Response(202, Map.of(), "") : script.poll();
            }
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "fake-teams");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** A Workflows-style URL on this server, with a path and signature that must never be logged. */
    public String workflowUrl() {
        return "http://127.0.0.1:" + port() + TestSecrets.WORKFLOW_PATH + "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig="
                + TestSecrets.SIGNATURE;
    }

    /** A client that sends every request to this server as its proxy, whatever host the URL names. */
    public HttpClient proxyClient() {
        return HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port())))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A client that connects directly (loopback URLs), configured as the guard's own. */
    public HttpClient directClient() {
        return HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public synchronized FakeTeams then(int status, Map<String, String> headers, String body) {
        script.add(new Response(status, headers, body));
        return this;
    }

    public synchronized FakeTeams then(int status) {
        return then(status, Map.of(), "");
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    public synchronized void reset() {
        requests.clear();
        script.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
