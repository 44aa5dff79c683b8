package dev.aksrouteguard.core.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one masking of secret-shaped text: storage keys and SAS signatures, and bearer tokens. Text quoted from
 * elsewhere (an ARM error message, a transport exception) goes to logs, cards and command output as it is, so it is
 * masked where it enters the guard: every {@link ArmException} message, every event result's reason, every sweep
 * error.
 */
public final class Secrets {

    private static final Pattern SECRETS = Pattern.compile(
            "(?i)(AccountKey|SharedAccessSignature|sig)(=|%3D)[^;&\\s\"'<>\\\\]*|(Bearer\\s+)[A-Za-z0-9._~+/=-]+");

    private Secrets() {}

    /** {@code text} with anything secret-shaped masked ({@code sig=***}, {@code Bearer ***}). */
    public static String mask(String text) {
        return SECRETS.matcher(text).replaceAll(m -> Matcher.quoteReplacement(
                m.group(1) != null ? m.group(1) + m.group(2) + "***" : m.group(3) + "***"));
    }
}
