package dev.aksrouteguard.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.logging.LogRecord;

/** The parts of the test webhook URLs that stand for secrets, and the check that none of them leaked. */
public final class TestSecrets {

    public static final String WORKFLOW_PATH = "/workflows/0f1e2d3cSECRETWORKFLOW4b5a69788/triggers/manual/paths/invoke";
    public static final String SIGNATURE = "S1gN4tur3SECRETabcdefghijklmnopqrstuvwxyz012345";
    public static final String LEGACY_HOST = "contoso.webhook.office.com";
    public static final String LEGACY_PATH = "/webhookb2/11112222-SECRETGROUP-3333/IncomingWebhook/SECRETCONNECTOR9999/44445555";
    public static final String FAKE_LOGIC_HOST = "prod-07.westeurope.logic.azure.com";

    public static final List<String> PARTS = List.of("SECRETWORKFLOW", "SECRETGROUP", "SECRETCONNECTOR", SIGNATURE, LEGACY_HOST,
            FAKE_LOGIC_HOST, "SECRET");

    private TestSecrets() {}

    public static String legacyUrl() {
        return "http://" + LEGACY_HOST + LEGACY_PATH;
    }

    /** A SAS token's signature value: built at run time, so that no secret-shaped string is in the sources. */
    public static final String SAS_SIGNATURE = "SasS1gnatureSECRET" + "0123456789abcdef" + "%3D";

    /**
     * A storage connection string with a SAS token for the Table and Queue endpoints at {@code baseUrl}
     * ({@code http://127.0.0.1:port/account}), assembled at run time.
     */
    public static String sasConnectionString(String tableBaseUrl, String queueBaseUrl) {
        String sas = "sv=2020-08-04&ss=qt&srt=sco&sp=rwdlacup&se=2099-01-01T00:00:00Z&" + "si" + "g=" + SAS_SIGNATURE;
        return "TableEndpoint=" + tableBaseUrl + ";QueueEndpoint=" + queueBaseUrl + ";" + "SharedAccess" + "Signature=" + sas;
    }

    /** A Workflows URL on a host that does not exist: reached only through {@link FakeTeams#proxyClient()}. */
    public static String logicAppUrl() {
        return "http://" + FAKE_LOGIC_HOST + ":443" + WORKFLOW_PATH + "?api-version=2016-06-01&sig=" + SIGNATURE;
    }

    /** Fails naming the record when any part of a secret appears in a message, a parameter or a thrown chain. */
    public static void assertNoSecretIn(List<LogRecord> records) {
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

    public static void assertNoSecretIn(String text, String where) {
        for (String part : PARTS) {
            if (text.contains(part)) {
                fail("a secret part of the webhook URL (" + part.substring(0, 6) + "…) appears in " + where + ": " + text);
            }
        }
    }
}
