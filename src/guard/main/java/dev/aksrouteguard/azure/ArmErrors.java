package dev.aksrouteguard.azure;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmException.Kind;
import dev.aksrouteguard.core.model.Nullable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps what ARM answers, and what the transport throws, to an {@link ArmException} the core can act on. */
final class ArmErrors {

    /**
     * ARM error codes that mean "try again shortly", whatever the status (concurrent writes in one VNet; Network RP's
     * 429 {@code RetryableErrorDueToAnotherOperation} when another operation has locked the target, Learn, "Understand
     * how Azure Resource Manager throttles requests", "Error code").
     */
    static final Set<String> TRANSIENT_CODES = Set.of("anotheroperationinprogress", "retryableerrorduetoanotheroperation",
            "retryableerror",
            "referencedresourcenotprovisioned", "toomanyrequests", "internalservererror", "serviceunavailable",
            "gatewaytimeout", "operationtimedout");

    /** The most of an unreadable error body quoted in a message. */
    private static final int QUOTE = 200;

    private static final Pattern LINKED_ACTION = Pattern.compile(
            "does not have permission to perform action(?:\\(s\\))? '([^']+)'", Pattern.CASE_INSENSITIVE);
    private static final Pattern ACTION = Pattern.compile(
            "does not have authorization to perform action '([^']+)'", Pattern.CASE_INSENSITIVE);

    private ArmErrors() {}

    /**
     * A failure without an ARM answer: the transport, a timeout, or one of our own {@link ArmException}s (a token
     * deadline) passed up through the pipeline.
     *
     * @param what the call, e.g. "GET subnet x" — prefixed to the message
     */
    static ArmException map(String what, RuntimeException e) {
        ArmException own = find(e, ArmException.class);
        if (own != null) {
            return own.getMessage().startsWith(what) ? own : new ArmException(own.kind(), own.status(), own.code(),
                    what + " failed: " + own.getMessage(), own.retryAfter(), own.missingAction(), own);
        }
        if (find(e, TimeoutException.class) != null || find(e, IOException.class) != null
                || find(e, UncheckedIOException.class) != null) {
            Throwable root = rootCause(e);
            return new ArmException(Kind.TRANSIENT, 0, null, what + " failed without a response: " + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage()), null, null, e);
        }
        return ArmException.terminal(what + " failed: " + e, e);
    }

    /** An ARM answer that is not a success: its status, its {@code error.code}/{@code message}, its Retry-After. */
    static ArmException fromResponse(String what, int status, @Nullable Duration retryAfter, byte[] body) {
        String code = null;
        String message = null;
        JsonObject error = errorObject(body);
        if (error != null) {
            code = string(error, "code");
            message = string(error, "message");
        }
        if (message == null) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            message = text.isEmpty() ? "no error detail" : text.length() > QUOTE ? text.substring(0, QUOTE) + "…" : text;
        }
        String lowerCode = code == null ? "" : code.toLowerCase(Locale.ROOT);
        Kind kind;
        String missing = null;
        if (status == 412) {
            kind = Kind.PRECONDITION_FAILED;
        } else if (status == 404) {
            kind = Kind.NOT_FOUND;
        } else if (status == 401 || status == 403) {
            kind = Kind.FORBIDDEN;
            missing = missingAction(message);
        } else if (lowerCode.equals("invalidresourcereference")) {
            kind = Kind.INVALID_REFERENCE;
        } else if (TRANSIENT_CODES.contains(lowerCode) || BoundedRetryPolicy.retriable(status)) {
            kind = Kind.TRANSIENT;
        } else {
            kind = Kind.TERMINAL;
        }
        String text = what + " failed: HTTP " + status + " " + (code == null ? "" : code + ": ") + message;
        return new ArmException(kind, status, code, text, retryAfter, missing, null);
    }

    /** The detail Network RP gives a write it cancelled because a later write of the same resource took over. */
    static final String SUPERSEDED = "CanceledAndSupersededDueToAnotherOperation";

    /**
     * A long-running operation that ended {@code Failed} or {@code Canceled}. Transient codes (e.g.
     * {@code InternalServerError}, {@code RetryableError}) stay retryable, and so does a cancelled operation: nothing
     * was written, and what is there is for the next read to say. One that another write superseded (Network RP: code
     * {@code Canceled}, detail {@link #SUPERSEDED}, e.g. a subnet write overtaken by a PUT of its virtual network) takes
     * that detail's code, so that the caller can treat it as contention with another writer.
     *
     * @param error the operation's {@code error} object, if it has one
     */
    static ArmException operationFailed(String what, String status, @Nullable JsonObject error) {
        String code = error == null ? null : string(error, "code");
        String message = error == null || string(error, "message") == null ? "no error detail" : string(error, "message");
        JsonObject superseded = error == null ? null : detail(error, SUPERSEDED);
        if (superseded != null) {
            code = SUPERSEDED;
            message = message + " (" + (string(superseded, "message") == null ? SUPERSEDED : string(superseded, "message")) + ")";
        }
        boolean transientCode = code != null && TRANSIENT_CODES.contains(code.toLowerCase(Locale.ROOT));
        Kind kind = transientCode || superseded != null ? Kind.TRANSIENT
                : "invalidresourcereference".equalsIgnoreCase(code) ? Kind.INVALID_REFERENCE
                : "linkedauthorizationfailed".equalsIgnoreCase(code) || "authorizationfailed".equalsIgnoreCase(code) ? Kind.FORBIDDEN
                : "canceled".equalsIgnoreCase(status) ? Kind.TRANSIENT
                : Kind.TERMINAL;
        String text = what + " ended " + status + (code == null ? "" : ": " + code) + ": " + message;
        return new ArmException(kind, 0, code, text, null, kind == Kind.FORBIDDEN ? missingAction(message) : null, null);
    }

    /** The entry of {@code error.details} with this code, if any. */
    private static @Nullable JsonObject detail(JsonObject error, String code) {
        if (error.get("details") instanceof JsonArray details) {
            for (JsonElement d : details) {
                if (d instanceof JsonObject o && code.equalsIgnoreCase(string(o, "code"))) {
                    return o;
                }
            }
        }
        return null;
    }

    /** An answer that cannot be trusted (see {@link Kind#INVALID_RESPONSE}). */
    static ArmException invalid(String message) {
        return new ArmException(Kind.INVALID_RESPONSE, 0, null, message, null, null, null);
    }

    /** The RBAC action named in an AuthorizationFailed or LinkedAuthorizationFailed message. */
    static @Nullable String missingAction(@Nullable String message) {
        if (message == null) {
            return null;
        }
        Matcher linked = LINKED_ACTION.matcher(message);
        if (linked.find()) {
            return linked.group(1);
        }
        Matcher action = ACTION.matcher(message);
        return action.find() ? action.group(1) : null;
    }

    /** ARM's {@code {"error": {...}}}, or the bare {@code {"code", "message"}} some providers answer. */
    private static @Nullable JsonObject errorObject(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonElement parsed = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                return null;
            }
            JsonObject root = parsed.getAsJsonObject();
            if (root.get("error") instanceof JsonObject error) {
                return error;
            }
            return root.has("code") || root.has("message") ? root : null;
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    static @Nullable String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    private static <T extends Throwable> @Nullable T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
