package dev.aksrouteguard.teams;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.logging.LogRecord;

/** The parts of the test webhook URLs that stand for secrets, and the check that none of them leaked. */
final class TestSecrets {

    static final String WORKFLOW_PATH = "/workflows/0f1e2d3cSECRETWORKFLOW4b5a69788/triggers/manual/paths/invoke";
    static final String SIGNATURE = "S1gN4tur3SECRETabcdefghijklmnopqrstuvwxyz012345";
    static final String LEGACY_HOST = "contoso.webhook.office.com";
    static final String LEGACY_PATH = "/webhookb2/11112222-SECRETGROUP-3333/IncomingWebhook/SECRETCONNECTOR9999/44445555";
    static final String FAKE_LOGIC_HOST = "prod-07.westeurope.logic.azure.com";

    static final List<String> PARTS = List.of("SECRETWORKFLOW", "SECRETGROUP", "SECRETCONNECTOR", SIGNATURE, LEGACY_HOST,
            FAKE_LOGIC_HOST, "SECRET");

    private TestSecrets() {}

    static String legacyUrl() {
        return "http://" + LEGACY_HOST + LEGACY_PATH;
    }

    /** A Workflows URL on a host that does not exist: reached only through {@link FakeTeams#proxyClient()}. */
    static String logicAppUrl() {
        return "http://" + FAKE_LOGIC_HOST + ":443" + WORKFLOW_PATH + "?api-version=2016-06-01&sig=" + SIGNATURE;
    }

    /** Fails naming the record when any part of a secret appears in a message, a parameter or a thrown chain. */
    static void assertNoSecretIn(List<LogRecord> records) {
        for (LogRecord r : records) {
            StringBuilder text = new StringBuilder(String.valueOf(r.getMessage()));
            if (r.getParameters() != null) {
                for (Object p : r.getParameters()) {
                    text.append(' ').append(p);
                }
            }
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                text.append(' ').append(t);
                for (StackTraceElement e : t.getStackTrace()) {
                    text.append(' ').append(e);
                }
            }
            assertNoSecretIn(text.toString(), r.getLoggerName() + " " + r.getLevel());
        }
    }

    static void assertNoSecretIn(String text, String where) {
        for (String part : PARTS) {
            if (text.contains(part)) {
                fail("a secret part of the webhook URL (" + part.substring(0, 6) + "…) appears in " + where + ": " + text);
            }
        }
    }
}
