package dev.aksrouteguard.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmException.Kind;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.RetryAfter;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps what the Azure SDK throws to an {@link ArmException} the core can act on. */
final class ArmErrors {

    /** ARM error codes that mean "try again shortly", whatever the status (concurrent writes in one VNet). */
    static final Set<String> TRANSIENT_CODES = Set.of("anotheroperationinprogress", "retryableerror",
            "referencedresourcenotprovisioned", "toomanyrequests", "internalservererror", "serviceunavailable",
            "gatewaytimeout", "operationtimedout");

    private static final Pattern LINKED_ACTION = Pattern.compile(
            "does not have permission to perform action(?:\\(s\\))? '([^']+)'", Pattern.CASE_INSENSITIVE);
    private static final Pattern ACTION = Pattern.compile(
            "does not have authorization to perform action '([^']+)'", Pattern.CASE_INSENSITIVE);

    private ArmErrors() {}

    /** @param what the call, e.g. "GET subnet x" — prefixed to the message */
    static ArmException map(String what, RuntimeException e) {
        if (e instanceof ArmException arm) {
            return arm;
        }
        HttpResponseException http = find(e, HttpResponseException.class);
        if (http != null) {
            return fromResponse(what, http);
        }
        if (find(e, TimeoutException.class) != null || find(e, IOException.class) != null) {
            Throwable root = rootCause(e);
            return new ArmException(Kind.TRANSIENT, 0, null, what + " failed without a response: " + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage()), null, null, e);
        }
        return new ArmException(Kind.TERMINAL, 0, null, what + " failed: " + e, null, null, e);
    }

    private static ArmException fromResponse(String what, HttpResponseException e) {
        HttpResponse response = e.getResponse();
        int status = response == null ? 0 : response.getStatusCode();
        String code = null;
        String message = null;
        if (e instanceof ManagementException m && m.getValue() != null) {
            ManagementError error = m.getValue();
            code = error.getCode();
            message = error.getMessage();
        }
        if (message == null) {
            message = e.getMessage();
        }
        Duration retryAfter = response == null ? null : RetryAfter.parse(response.getHeaderValue(HttpHeaderName.RETRY_AFTER));
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
        } else if (TRANSIENT_CODES.contains(lowerCode) || status == 408 || status == 429
                || status >= 500 && status != 501 && status != 505) {
            kind = Kind.TRANSIENT;
        } else {
            kind = Kind.TERMINAL;
        }
        String text = what + " failed: " + (status == 0 ? "" : "HTTP " + status + " ") + (code == null ? "" : code + ": ") + message;
        return new ArmException(kind, status, code, text, retryAfter, missing, e);
    }

    /**
     * A long-running operation that ended {@code Failed} or {@code Canceled}: the SDK reports it on the last poll
     * rather than by throwing. Transient codes (e.g. {@code InternalServerError}, {@code RetryableError}) stay
     * retryable.
     */
    static ArmException operationFailed(String what, String status, @Nullable PollResult.Error error) {
        String code = null;
        String message = error == null || error.getMessage() == null ? "no error detail" : error.getMessage();
        if (error != null && error.getResponseBody() != null) {
            try {
                JsonElement body = JsonParser.parseString(error.getResponseBody());
                JsonObject detail = body.isJsonObject() && body.getAsJsonObject().get("error") instanceof JsonObject e ? e : null;
                if (detail != null) {
                    code = detail.get("code") != null && !detail.get("code").isJsonNull() ? detail.get("code").getAsString() : null;
                    message = detail.get("message") != null && !detail.get("message").isJsonNull() ? detail.get("message").getAsString() : message;
                }
            } catch (RuntimeException notJson) {
                // keep the SDK's message
            }
        }
        int httpStatus = error == null ? 0 : error.getResponseStatusCode();
        boolean transientCode = code != null && TRANSIENT_CODES.contains(code.toLowerCase(Locale.ROOT));
        Kind kind = transientCode ? Kind.TRANSIENT
                : "invalidresourcereference".equalsIgnoreCase(code) ? Kind.INVALID_REFERENCE
                : "linkedauthorizationfailed".equalsIgnoreCase(code) || "authorizationfailed".equalsIgnoreCase(code) ? Kind.FORBIDDEN
                : Kind.TERMINAL;
        String text = what + " ended " + status + (code == null ? "" : ": " + code) + ": " + message;
        return new ArmException(kind, httpStatus, code, text, null, kind == Kind.FORBIDDEN ? missingAction(message) : null, null);
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
