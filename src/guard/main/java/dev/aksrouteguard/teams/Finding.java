package dev.aksrouteguard.teams;

import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An unresolved problem, as the repeat suppression sees it: what it is about ({@code subject}: a subnet, or the sweep
 * of a subscription), its {@code kind} (an action word, {@code not-reached} or {@code sweep-error}) and a stable
 * {@code reason}. Two outcomes with the same subject, kind and reason are the same finding.
 *
 * <p>The reason is built from what identifies the problem (the tables involved, the next step a person must take)
 * and never from volatile text: ARM error messages carry request IDs and timestamps, so only their stable head is
 * used, with GUIDs and numbers blanked.
 */
record Finding(String subject, String kind, String reason) {

    static final String NOT_REACHED = "not-reached";
    static final String SWEEP_ERROR = "sweep-error";

    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    Finding {
        Objects.requireNonNull(subject, "subject == null");
        Objects.requireNonNull(kind, "kind == null");
        Objects.requireNonNull(reason, "reason == null");
        subject = subject.toLowerCase(Locale.ROOT);
    }

    /** The finding of a problem outcome ({@code conflict}, {@code failed}, {@code drift-reported}, {@code route-table-missing}). */
    static Finding of(Outcome o) {
        String detail = o.nextStep() != null ? o.nextStep() : head(o.message());
        String reason = name(o.routeTable()) + " | " + name(o.previousRouteTable()) + " | " + normalize(detail);
        return new Finding(subject(o.subnet()), o.action().word(), reason);
    }

    /** A drifted subnet the sweep had no time left to repair. */
    static Finding notReached(Outcome o) {
        return new Finding(subject(o.subnet()), NOT_REACHED, name(o.routeTable()));
    }

    /** A sweep that could not run at all ({@code key}: the guard's scope), or could not read one subscription. */
    static Finding sweepError(String key, String error) {
        return new Finding(sweepSubject(key), SWEEP_ERROR, normalize(head(error)));
    }

    static String subject(SubnetId subnet) {
        return subnet.toString().toLowerCase(Locale.ROOT);
    }

    /** A subscription ID keeps the subject it always had; a wider scope's key names itself. */
    static String sweepSubject(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains(":") ? "sweep:" + k : "sweep:/subscriptions/" + k;
    }

    /** A Table-safe partition key: 32 hex digits of the subject's SHA-256 (IDs hold '/', which keys may not). */
    String partitionKey() {
        return partitionKey(subject);
    }

    static String partitionKey(String subject) {
        return sha256(subject.toLowerCase(Locale.ROOT));
    }

    /** A Table-safe row key: 32 hex digits of the SHA-256 of kind and reason. */
    String rowKey() {
        return sha256(kind + "\n" + reason);
    }

    private static String name(@Nullable ResourceId id) {
        return id == null ? "-" : id.toString().toLowerCase(Locale.ROOT);
    }

    /** The text before the first ": " (where an error message usually starts quoting the service). */
    private static String head(String message) {
        int colon = message.indexOf(": ");
        return colon > 0 ? message.substring(0, colon) : message;
    }

    private static String normalize(String text) {
        String t = GUID.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("#");
        t = NUMBER.matcher(t).replaceAll("#").replaceAll("\\s+", " ").trim();
        return t.length() > 300 ? t.substring(0, 300) : t;
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
