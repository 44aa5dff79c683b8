package dev.aksrouteguard.teams;

import static dev.aksrouteguard.teams.Fixtures.subnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.testing.FakeTeams;
import dev.aksrouteguard.testing.LogCapture;
import dev.aksrouteguard.testing.TestSecrets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Storage SDK logs a service error at SEVERE, quoting the answer, before it throws: a 403 whose body echoes the
 * request URL would print the SAS signature. Local servers stand in for the Table and Queue services and answer every
 * request with such a 403; the clients are built by the wiring from a SAS connection string. No record of any logger,
 * at any level, may carry the signature.
 */
class StorageLogScrubbingTest {

    private HttpServer table;
    private HttpServer queue;
    private FakeTeams teams;
    private LogCapture logs;

    /** A server that refuses everything with a 403 quoting the full request URL, as a storage service's error can. */
    private static HttpServer echoing403(boolean json) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String url = "http://127.0.0.1:" + exchange.getLocalAddress().getPort() + exchange.getRequestURI();
            String body = json
                    ? "{\"odata.error\":{\"code\":\"AuthenticationFailed\",\"message\":{\"lang\":\"en-US\",\"value\":"
                            + "\"Server failed to authenticate the request " + url + "\"}}}"
                    : "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code><Message>Server "
                            + "failed to authenticate the request.</Message><AuthenticationErrorDetail>Signature did not "
                            + "match for " + url.replace("&", "&amp;") + "</AuthenticationErrorDetail></Error>";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", json ? "application/json" : "application/xml");
            exchange.getResponseHeaders().add("x-ms-error-code", "AuthenticationFailed");
            exchange.sendResponseHeaders(403, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    @BeforeEach
    void start() throws IOException {
        table = echoing403(true);
        queue = echoing403(false);
        teams = new FakeTeams();
        logs = LogCapture.includingRoot();
    }

    @AfterEach
    void stop() {
        logs.close();
        table.stop(0);
        queue.stop(0);
        teams.close();
    }

    @Test
    void a403EchoingASasUrlReachesNoLogWithItsSignature() {
        String connection = TestSecrets.sasConnectionString(
                "http://127.0.0.1:" + table.getAddress().getPort() + "/devstoreaccount1",
                "http://127.0.0.1:" + queue.getAddress().getPort() + "/devstoreaccount1");
        Settings settings = Fixtures.settings(Map.of(Settings.TEAMS_WEBHOOK_URL, teams.workflowUrl(),
                Settings.STORAGE, connection));
        AlertStorage storage = Fixtures.storage(settings, true);
        assertNotNull(storage.table());
        assertNotNull(storage.queue());

        try (TeamsWebhookAlertSink sink = TeamsWebhookAlertSink.create(settings, storage, logs.logger())) {
            sink.outcome(Fixtures.conflict(subnet("snet-a")));
            assertTrue(sink.flush(Duration.ofSeconds(60)));
        }

        assertEquals(1, teams.requests().size(), "the memory failed open and the queue fell back to a direct post");
        List<String> warnings = logs.lines(Level.WARNING);
        assertTrue(warnings.contains("Teams alerts: the alert memory in Table storage is unavailable (HTTP 403 "
                + "AuthenticationFailed); alerting without repeat suppression until it is reachable again"), warnings.toString());
        assertTrue(warnings.contains("Teams alerts: could not queue conflict snet-a for delivery (HTTP 403 "
                + "AuthenticationFailed); sending it directly"), warnings.toString());
        List<LogRecord> sdk = logs.everything().stream()
                .filter(r -> r.getLoggerName() != null && r.getLoggerName().startsWith("com.azure")
                        && r.getLevel().intValue() >= Level.SEVERE.intValue())
                .toList();
        assertFalse(sdk.isEmpty(), "the SDK logs the refusal (so this test shows the scrubbing, not silence)");
        assertTrue(sdk.stream().anyMatch(r -> r.getMessage().contains("sig=" + Redaction.MASK)),
                "the echoed URL is there, its signature masked: " + sdk.get(0).getMessage());
        TestSecrets.assertNoSecretIn(logs.everything());
        for (LogRecord r : logs.everything()) {
            assertFalse(String.valueOf(r.getMessage()).contains(TestSecrets.SAS_SIGNATURE), r.getMessage());
        }
    }

    @Test
    void msal4jRecordsAreGatedAndLoseTheTokensTheyQuote() {
        SdkLogScrubbing.install(null);
        String jwt = "eyJ" + "hbGciOiJSUzI1NiJ9" + "." + "eyJ" + "hdWQiOiJhcm0ifQ" + "." + "c2lnbmF0dXJl" + "VGVzdA";
        java.util.logging.Logger.getLogger("com.microsoft.aad.msal4j.AbstractManagedIdentitySource")
                .severe("[Managed Identity] MSI returned 200, but the response could not be parsed: {\"access_token\":\"" + jwt + "\"");

        List<String> msal = logs.everything().stream()
                .filter(r -> r.getLoggerName() != null && r.getLoggerName().startsWith("com.microsoft.aad"))
                .map(LogRecord::getMessage).toList();
        assertEquals(1, msal.size(), "the record still reaches the handlers: " + msal);
        assertTrue(msal.get(0).contains("\"access_token\":\"***\""), msal.get(0));
        assertFalse(msal.get(0).contains("c2lnbmF0dXJl"), msal.get(0));
    }

    @Test
    void aScrubbedRecordKeepsItsShapeAndLosesEverySecret() {
        Redaction redaction = Redaction.of(Secret.of(TestSecrets.logicAppUrl()));
        String sas = "si" + "g=" + TestSecrets.SAS_SIGNATURE;
        LogRecord r = new LogRecord(Level.SEVERE, "refused " + sas + " and " + "si" + "g%3D" + TestSecrets.SAS_SIGNATURE);
        r.setLoggerName("com.azure.storage.queue.QueueClient");
        r.setParameters(new Object[] {TestSecrets.logicAppUrl(), 42});
        r.setThrown(new IllegalStateException("outer " + sas, new IOException("inner " + TestSecrets.logicAppUrl())));

        LogRecord c = SdkLogScrubbing.scrubbed(r, redaction);

        assertEquals(Level.SEVERE, c.getLevel());
        assertEquals("com.azure.storage.queue.QueueClient", c.getLoggerName());
        assertEquals("refused sig=***", c.getMessage().substring(0, "refused sig=***".length()));
        assertEquals(42, c.getParameters()[1]);
        assertEquals("java.lang.IllegalStateException: outer sig=***", c.getThrown().toString());
        assertTrue(c.getThrown().getCause().toString().startsWith("java.io.IOException: inner "));
        assertEquals(r.getThrown().getStackTrace().length, c.getThrown().getStackTrace().length, "the stack is kept");
        TestSecrets.assertNoSecretIn(List.of(c));
    }
}
