package dev.aksrouteguard.emulator;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntSupplier;

/**
 * The ARM front door: authenticates the bearer token, requires {@code api-version}, fires injected faults,
 * checks RBAC, routes to {@link ArmState} (or, for {@code /providers/Microsoft.Management/managementGroups/...},
 * to {@link ManagementGroups}), and logs every exchange before answering it (so a test that sees the answer also
 * sees the log entry and any event).
 */
final class ArmHandler implements HttpHandler {
    private static final System.Logger LOGGER = System.getLogger(ArmHandler.class.getName());

    private final ArmState state;
    private final Rbac rbac;
    private final Faults faults;
    private final RequestLog log;
    private final Clock clock;
    private final IntSupplier pageSize;
    private final String tenantId;
    private final String endpoint;
    private final ManagementGroups hierarchy;

    ArmHandler(ArmState state, Rbac rbac, Faults faults, RequestLog log, Clock clock, IntSupplier pageSize,
            String tenantId, String endpoint, ManagementGroups hierarchy) {
        this.state = Objects.requireNonNull(state, "state == null");
        this.rbac = Objects.requireNonNull(rbac, "rbac == null");
        this.faults = Objects.requireNonNull(faults, "faults == null");
        this.log = Objects.requireNonNull(log, "log == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.pageSize = Objects.requireNonNull(pageSize, "pageSize == null");
        this.tenantId = Objects.requireNonNull(tenantId, "tenantId == null");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint == null");
        this.hierarchy = Objects.requireNonNull(hierarchy, "hierarchy == null");
    }

    /** An answer: a JSON body, or (for an injected raw fault) exactly the text given. */
    private record Answer(int status, @Nullable JsonObject body, Map<String, String> headers, @Nullable String raw) {
        Answer(int status, @Nullable JsonObject body, Map<String, String> headers) {
            this(status, body, headers, null);
        }

        static Answer of(ArmError error) {
            return new Answer(error.status(), error.body(), error.headers());
        }

        static Answer raw(Fault fault) {
            return new Answer(fault.status(), null, fault.answerHeaders(), fault.rawBody());
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            serve(exchange);
        } catch (IOException e) {
            LOGGER.log(Level.DEBUG, "client went away: " + e);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        Instant time = clock.instant();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getPath();
        String rawQuery = Objects.requireNonNullElse(exchange.getRequestURI().getRawQuery(), "");
        Headers headers = exchange.getRequestHeaders();
        String correlationId = nonBlank(headers.getFirst("x-ms-correlation-request-id"), UUID.randomUUID().toString());
        Principal principal = null;
        Answer answer;
        byte[] body = new byte[0];
        try {
            body = exchange.getRequestBody().readAllBytes();
            principal = authenticate(headers.getFirst("Authorization"));
            Map<String, String> query = Query.parse(rawQuery);
            String apiVersion = query.get("api-version");
            if (apiVersion == null || apiVersion.isBlank()) {
                throw ArmError.badRequest("MissingApiVersionParameter",
                        "The api-version query parameter (?api-version=) is required for all requests.");
            }
            Fault fault = faults.take(method, path);
            if (fault != null) {
                sleep(fault.delay());
                fault.hold();
                if (fault.isRaw()) {
                    throw new RawAnswer(fault);
                }
                if (fault.answers()) {
                    throw fault.toError();
                }
            }
            String url = endpoint + exchange.getRequestURI().getRawPath().substring(1)
                    + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
            Optional<ManagementGroups.GroupPath> group = ManagementGroups.parse(path);
            if (group.isPresent()) {
                answer = serveGroup(group.get(), method, principal, apiVersion, query,
                        fault != null && fault.pointsNextLinkToItself(), url);
            } else {
                ArmPath armPath = ArmPath.parse(path);
                String action = Rbac.action(method, path);
                if (!permitted(principal, action, Rbac.scope(armPath))) {
                    throw Rbac.authorizationFailed(principal, action, Rbac.scope(armPath));
                }
                RequestContext request = new RequestContext(principal, method, url, path, apiVersion, correlationId,
                        nonBlank(headers.getFirst("x-ms-client-request-id"), ""),
                        exchange.getRemoteAddress().getAddress().getHostAddress(),
                        fault != null && fault.affectsOperation() ? fault : null, linkedAccess(principal));
                answer = route(armPath, body, headers, request, query, fault != null && fault.pointsNextLinkToItself());
            }
        } catch (RawAnswer e) {
            answer = Answer.raw(e.fault);
        } catch (ArmError e) {
            answer = Answer.of(e);
        } catch (JsonParseException e) {
            answer = Answer.of(ArmError.badRequest("InvalidRequestContent",
                    "The request content was invalid and could not be deserialized: " + e.getMessage()));
        } catch (RuntimeException e) {
            LOGGER.log(Level.WARNING, "emulator failure on " + method + " " + path, e);
            answer = Answer.of(new ArmError(500, "InternalServerError", "The emulator failed: " + e));
        }
        log.record(new RecordedRequest(time, method, path, rawQuery, answer.status(), headers.getFirst("If-Match"),
                principal, correlationId, new String(body, StandardCharsets.UTF_8)));
        respond(exchange, method, answer, correlationId, headers.getFirst("x-ms-client-request-id"));
    }

    private Answer route(ArmPath path, byte[] body, Headers headers, RequestContext request,
            Map<String, String> query, boolean nextLinkToItself) {
        Preconditions preconditions = new Preconditions(headers.getFirst("If-Match"), headers.getFirst("If-None-Match"));
        switch (request.method()) {
            case "GET":
            case "HEAD":
                if (path.isOperationStatus()) {
                    ArmState.Poll poll = state.poll(path);
                    return new Answer(200, poll.body(),
                            poll.done() ? Map.of() : Map.of("Retry-After", Integer.toString(state.retryAfterSeconds())));
                }
                if (path.isCollection()) {
                    JsonObject page = page(path, request, query.get("$skiptoken"));
                    if (nextLinkToItself) {
                        page.addProperty("nextLink", request.url());
                    }
                    return new Answer(200, page, Map.of());
                }
                JsonObject read = path.scope() == ArmPath.Scope.SUBSCRIPTION
                        ? hierarchy.subscription(path.subscription()).orElseGet(() -> state.read(path)) : state.read(path);
                return new Answer(request.method().equals("HEAD") ? 204 : 200, read, Map.of());
            case "PUT":
                String text = new String(body, StandardCharsets.UTF_8);
                JsonObject resource = Json.parseObject(text.isBlank() ? "{}" : text);
                ArmState.Written put = state.put(path, resource, preconditions, request);
                return new Answer(put.status(), put.body(), put.headers());
            case "DELETE":
                ArmState.Written deleted = state.delete(path, preconditions, request);
                return new Answer(deleted.status(), deleted.body(), deleted.headers());
            default:
                throw new ArmError(405, "MethodNotAllowed",
                        "The requested resource does not support http method '" + request.method() + "'.");
        }
    }

    private JsonObject page(ArmPath path, RequestContext request, @Nullable String skipToken) {
        ArmState.Page page = state.list(path, skipToken, pageSize.getAsInt());
        JsonObject body = new JsonObject();
        JsonArray values = new JsonArray(page.values().size());
        page.values().forEach(values::add);
        body.add("value", values);
        if (page.nextSkipToken() != null) {
            String rawPath = request.url().substring(0, request.url().contains("?")
                    ? request.url().indexOf('?') : request.url().length());
            body.addProperty("nextLink", rawPath + "?api-version=" + Query.encode(request.apiVersion())
                    + "&$skiptoken=" + page.nextSkipToken());
        }
        return body;
    }

    /**
     * Whether RBAC lets the principal do this at this scope: granted at the scope or above it, where "above" includes,
     * as in Azure, the management groups the subscription sits in (a role at a management group applies to every
     * subscription below it; a subscription moved out of the group loses it).
     */
    private boolean permitted(Principal principal, String action, String scope) {
        if (rbac.permits(principal, action, scope)) {
            return true;
        }
        String lower = scope.toLowerCase(Locale.ROOT);
        List<String> above;
        if (lower.startsWith("/subscriptions/")) {
            int end = scope.indexOf('/', "/subscriptions/".length());
            above = hierarchy.ancestorScopesOfSubscription(end < 0 ? scope.substring("/subscriptions/".length())
                    : scope.substring("/subscriptions/".length(), end));
        } else if (lower.startsWith(ManagementGroups.GROUP_PREFIX.toLowerCase(Locale.ROOT))) {
            String rest = scope.substring(ManagementGroups.GROUP_PREFIX.length());
            above = hierarchy.ancestorScopesOfGroup(rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
        } else {
            above = List.of();
        }
        return above.stream().anyMatch(s -> rbac.permits(principal, action, s));
    }

    /** {@code GET} of a management group or of its descendants (paged); nothing else is served for groups. */
    private Answer serveGroup(ManagementGroups.GroupPath group, String method, Principal principal, String apiVersion,
            Map<String, String> query, boolean nextLinkToItself, String url) {
        String action = ManagementGroups.action(method, group);
        String scope = ManagementGroups.scope(group.groupId());
        if (!permitted(principal, action, scope)) {
            throw Rbac.authorizationFailed(principal, action, scope);
        }
        if (!method.equals("GET")) {
            throw new ArmError(405, "MethodNotAllowed",
                    "The emulator serves management groups read-only; seed them with ArmEmulator.managementGroup(...).");
        }
        if (!group.descendants()) {
            return new Answer(200, hierarchy.group(group.groupId()), Map.of());
        }
        String top = query.get("$top");
        int size;
        try {
            size = top == null ? pageSize.getAsInt() : Integer.parseInt(top);
        } catch (NumberFormatException e) {
            throw ArmError.badRequest("InvalidTop", "The $top '" + top + "' is not a number.");
        }
        if (size < 1) {
            throw ArmError.badRequest("InvalidTop", "The $top must be at least 1.");
        }
        ManagementGroups.Page page = hierarchy.descendants(group.groupId(), query.get("$skiptoken"), size);
        JsonObject body = new JsonObject();
        JsonArray values = new JsonArray();
        page.values().forEach(values::add);
        body.add("value", values);
        if (nextLinkToItself) {
            body.addProperty("nextLink", url);
        } else if (page.nextSkipToken() != null) {
            body.addProperty("nextLink", endpoint + "providers/Microsoft.Management/managementGroups/" + group.groupId()
                    + "/descendants?api-version=" + Query.encode(apiVersion) + "&$skiptoken=" + page.nextSkipToken()
                    + (top == null ? "" : "&$top=" + size));
        }
        return new Answer(200, body, Map.of());
    }

    private Principal authenticate(@Nullable String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthenticated("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthenticated("AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is provided in an invalid format.");
        }
        return Tokens.verify(authorization.substring(7).trim(), clock.instant())
                .orElseThrow(() -> unauthenticated("InvalidAuthenticationToken", "The access token is invalid."));
    }

    private ArmError unauthenticated(String code, String message) {
        return new ArmError(401, code, message).header("WWW-Authenticate", "Bearer authorization_uri=\""
                + "https://login.microsoftonline.com/" + tenantId + "\", error=\"invalid_token\", error_description=\""
                + message.replace("\"", "'") + "\"");
    }

    private RequestContext.LinkedAccess linkedAccess(Principal principal) {
        return (action, scope, linked) -> {
            List<RequestContext.LinkedAction> denied =
                    linked.stream().filter(l -> !permitted(principal, l.action(), l.scope())).toList();
            if (!denied.isEmpty()) {
                throw Rbac.linkedAuthorizationFailed(principal, action, scope, denied);
            }
        };
    }

    private static void respond(HttpExchange exchange, String method, Answer answer, String correlationId,
            @Nullable String clientRequestId) throws IOException {
        Headers out = exchange.getResponseHeaders();
        out.set("Content-Type", "application/json; charset=utf-8");
        out.set("Cache-Control", "no-cache");
        out.set("x-ms-request-id", UUID.randomUUID().toString());
        out.set("x-ms-correlation-request-id", correlationId);
        if (clientRequestId != null) {
            out.set("x-ms-client-request-id", clientRequestId);
        }
        answer.headers().forEach(out::set);
        byte[] bytes = answer.raw() != null ? answer.raw().getBytes(StandardCharsets.UTF_8)
                : answer.body() == null ? new byte[0] : Json.GSON.toJson(answer.body()).getBytes(StandardCharsets.UTF_8);
        boolean noBody = method.equals("HEAD") || answer.status() == 204 || bytes.length == 0;
        exchange.sendResponseHeaders(answer.status(), noBody ? -1 : bytes.length);
        if (!noBody) {
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(bytes);
            }
        }
    }

    /** Carries an injected raw answer past the routing, as {@link ArmError} carries an error. */
    private static final class RawAnswer extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Fault fault;

        RawAnswer(Fault fault) {
            super(null, null, false, false);
            this.fault = fault;
        }
    }

    private static void sleep(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String nonBlank(@Nullable String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
