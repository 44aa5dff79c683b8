package dev.aksrouteguard.core.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one masking of secret-shaped text: storage keys and SAS signatures, bearer tokens, OAuth tokens and client
 * secrets (as JSON fields or form parameters), JSON web tokens wherever they appear, and the managed-identity header.
 * Text quoted from elsewhere (an ARM error message, a transport exception, the managed-identity library's message
 * about a token answer it could not parse, which can quote that answer) goes to logs, cards and command output as it
 * is, so it is masked where it enters the guard: every {@link ArmException} message, every event result's reason,
 * every sweep error.
 */
public final class Secrets {

    private static final String TOKEN_FIELDS = "access_token|refresh_token|id_token|client_secret|client_assertion";

    /** {@code name=value} (also URL-encoded {@code name%3Dvalue}): the value goes. */
    private static final Pattern KEYED = Pattern.compile(
            "(?i)((?:AccountKey|SharedAccessSignature|sig|" + TOKEN_FIELDS + ")(?:=|%3D))[^;&\\s\"'<>\\\\]*");
    /** {@code "name": "value"} in JSON (escaped quotes too, as a JSON text quoted inside another): the value goes. */
    private static final Pattern JSON_FIELD = Pattern.compile(
            "(?i)((?:\\\\?\")(?:" + TOKEN_FIELDS + ")(?:\\\\?\")\\s*:\\s*(?:\\\\?\"))[^\"\\\\]*");
    private static final Pattern BEARER = Pattern.compile("(?i)(Bearer\\s+)[A-Za-z0-9._~+/=-]+");
    /** A JSON web token (header.payload.signature, the header starting {@code {"}): all of it goes. */
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*");
    /** The secret App Service gives the process to fetch managed-identity tokens with. */
    private static final Pattern IDENTITY_HEADER = Pattern.compile(
            "(?i)(X-IDENTITY-HEADER[\"']?\\s*[:=]\\s*[\"']?)[^\\s\"',;}]+");

    private Secrets() {}

    /** {@code text} with anything secret-shaped masked ({@code sig=***}, {@code Bearer ***}, {@code "access_token":"***"}). */
    public static String mask(String text) {
        String masked = JWT.matcher(text).replaceAll("***");
        for (Pattern p : new Pattern[] {KEYED, JSON_FIELD, BEARER, IDENTITY_HEADER}) {
            masked = p.matcher(masked).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "***"));
        }
        return masked;
    }
}
