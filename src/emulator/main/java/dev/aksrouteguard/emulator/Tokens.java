package dev.aksrouteguard.emulator;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque bearer tokens that carry their principal, sealed with an HMAC key.
 *
 * <p>The key is per JVM rather than per emulator on purpose: MSAL keeps one static token cache for
 * managed identities, keyed by resource and not by endpoint, so a token fetched from one emulator is
 * later presented to another emulator started in the same JVM (test suites start many). Self-contained
 * tokens make that work without a shared registry.
 */
final class Tokens {
    private static final byte[] KEY = newKey();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    static String issue(Principal principal, Instant expiresOn) {
        Objects.requireNonNull(principal, "principal == null");
        Objects.requireNonNull(expiresOn, "expiresOn == null");
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        JsonObject payload = new JsonObject();
        payload.addProperty("oid", principal.objectId());
        payload.addProperty("appid", principal.appId());
        payload.addProperty("name", principal.displayName());
        if (principal.upn() != null) {
            payload.addProperty("upn", principal.upn());
        }
        payload.addProperty("kind", principal.kind().name());
        payload.addProperty("exp", expiresOn.getEpochSecond());
        payload.addProperty("nonce", ENCODER.encodeToString(nonce));
        String body = ENCODER.encodeToString(Json.GSON.toJson(payload).getBytes(StandardCharsets.UTF_8));
        return body + "." + ENCODER.encodeToString(mac(body));
    }

    /** The principal of a token this JVM issued that has not expired, or empty. */
    static Optional<Principal> verify(String token, Instant now) {
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String body = token.substring(0, dot);
        try {
            if (!MessageDigest.isEqual(mac(body), DECODER.decode(token.substring(dot + 1)))) {
                return Optional.empty();
            }
            JsonObject payload = Json.parseObject(new String(DECODER.decode(body), StandardCharsets.UTF_8));
            if (payload.get("exp").getAsLong() <= now.getEpochSecond()) {
                return Optional.empty();
            }
            return Optional.of(new Principal(payload.get("oid").getAsString(), payload.get("appid").getAsString(),
                    payload.get("name").getAsString(), payload.has("upn") ? payload.get("upn").getAsString() : null,
                    Principal.Kind.valueOf(payload.get("kind").getAsString())));
        } catch (IllegalArgumentException | JsonParseException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static byte[] mac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private static byte[] newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
