package dev.aksrouteguard.azure;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.json.JsonToken;
import com.azure.json.ReadValueCallback;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Nullable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * ARM's REST protocol over one authenticated azure-core pipeline: every call names its resource by its full ID (the
 * subscription comes from the ID, never from settings), follows only URLs on the ARM endpoint it was given (a
 * {@code nextLink} or operation URL elsewhere would carry the bearer token there), and is bounded by
 * {@link ArmLimits}: paging stops at a repeated {@code nextLink}, at the page cap or at the listing deadline, and a
 * long-running operation is followed until its deadline.
 *
 * <p>Bodies travel as bytes, so a document can go back exactly as it was read (see {@link ArmSubnets}).
 */
final class ArmRest {

    /** A 2xx answer (anything else is thrown as an {@link ArmException}). */
    record Answer(int status, HttpHeaders headers, byte[] body) {}

    /** One page of a listing: its items, and the next page's URL (null on the last). */
    private record Page<T>(List<T> items, @Nullable String nextLink) {}

    static final HttpHeaderName AZURE_ASYNC_OPERATION = HttpHeaderName.fromString("Azure-AsyncOperation");
    /** Polls sooner than one second are never useful; a missing {@code Retry-After} means this. */
    static final Duration MIN_POLL_INTERVAL = Duration.ofSeconds(1);
    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

    private final HttpPipeline pipeline;
    private final URI endpoint;
    private final ArmLimits limits;

    /** @param endpoint the ARM endpoint, e.g. {@code https://management.azure.com/} */
    ArmRest(HttpPipeline pipeline, URI endpoint, ArmLimits limits) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline == null");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint == null");
        this.limits = Objects.requireNonNull(limits, "limits == null");
        if (!"https".equalsIgnoreCase(endpoint.getScheme()) || endpoint.getHost() == null) {
            throw new IllegalArgumentException("the ARM endpoint must be an https URL: " + endpoint);
        }
    }

    // ------------------------------------------------------------------ single calls

    /** {@code GET {endpoint}{path}?api-version=…}. @param path a resource ID or collection path */
    Answer get(String path, String apiVersion, String what) {
        return ok(send(HttpMethod.GET, url(path, apiVersion), null, null, what), what);
    }

    /**
     * {@code PUT} of {@code body} with {@code If-Match: etag}, then the long-running operation followed to its end
     * ({@code Azure-AsyncOperation}, {@code Location}, or the resource's own {@code provisioningState}) and the resource
     * read again when the operation's answer does not carry it.
     *
     * @return the resource as it is after the write
     * @throws ArmException {@link ArmException.Kind#DEADLINE_EXCEEDED} when the operation is still running after
     *     {@link ArmLimits#operationDeadline()}; the operation's own failure when it ends {@code Failed} or {@code Canceled}
     */
    Answer putAndFollow(String path, String apiVersion, byte[] body, String etag, String what) {
        long deadline = System.nanoTime() + limits.operationDeadline().toNanos();
        Answer put = ok(send(HttpMethod.PUT, url(path, apiVersion), body, Objects.requireNonNull(etag, "etag == null"), what), what);
        String asyncOperation = put.headers().getValue(AZURE_ASYNC_OPERATION);
        String location = put.headers().getValue(HttpHeaderName.LOCATION);
        if (asyncOperation != null) {
            followOperation(asyncOperation, put.headers(), deadline, what);
            return readAfterAccepted(url(path, apiVersion), deadline, what + " (reading the result)");
        }
        if (put.status() == 202 && location != null) {
            followLocation(location, put.headers(), deadline, what);
            return readAfterAccepted(url(path, apiVersion), deadline, what + " (reading the result)");
        }
        Answer last = put;
        int polls = 0;
        while (true) {
            String state = provisioningState(last.body());
            if (state == null || state.equalsIgnoreCase("Succeeded")) {
                return last;
            }
            if (state.equalsIgnoreCase("Failed") || state.equalsIgnoreCase("Canceled")) {
                throw ArmErrors.operationFailed(what, state, null);
            }
            waitForNextPoll(BoundedRetryPolicy.retryAfter(last.headers()), deadline, what, polls, null);
            last = readAfterAccepted(url(path, apiVersion), deadline, what + " (polling provisioningState)");
            polls++;
        }
    }

    /**
     * A GET made once ARM has accepted the write: an operation poll, or the read of the result. Its transient failure
     * (a 429, since ARM counts polls as reads; a 5xx; the network), left after the pipeline's own retries, says nothing
     * of how the write went, so it is sent again after a wait, until the operation's deadline, rather than reported as
     * the write's failure: that would send the whole pass round again, to find its own write in place and call the
     * subnet in sync, or give up with a failure alert for a write that went through.
     *
     * @throws ArmException {@link ArmException.Kind#DEADLINE_EXCEEDED} when no answer came before the deadline; any
     *     failure that is not transient as it is
     */
    private Answer readAfterAccepted(URL url, long deadline, String what) {
        return readAfterAccepted(url, deadline, what, false);
    }

    /**
     * @param locationUrl true for the operation's {@code Location} URL, which, once the operation has ended, answers what
     *     the write would have answered had it run synchronously (ARM RPC, "202 Accepted and Location Headers", step 5):
     *     an error naming another operation that held the resource ({@link ArmException#anotherOperation()}) is then the
     *     write's own answer, thrown as it is (contention, which the reconciler waits out), not a poll to send again
     */
    private Answer readAfterAccepted(URL url, long deadline, String what, boolean locationUrl) {
        for (int failed = 0; ; failed++) {
            try {
                return ok(send(HttpMethod.GET, url, null, null, what), what);
            } catch (ArmException e) {
                if (e.kind() != ArmException.Kind.TRANSIENT || locationUrl && e.anotherOperation()) {
                    throw e;
                }
                waitForNextPoll(e.retryAfter(), deadline, what, failed, e);
            }
        }
    }

    private void followOperation(String operationUrl, HttpHeaders first, long deadline, String what) {
        URL url = followUp(operationUrl, what + ": the Azure-AsyncOperation URL", null);
        HttpHeaders last = first;
        for (int polls = 0; ; polls++) {
            waitForNextPoll(BoundedRetryPolicy.retryAfter(last), deadline, what, polls, null);
            Answer poll = readAfterAccepted(url, deadline, what + " (polling the operation)");
            JsonObject status = object(poll.body());
            String value = status == null ? null : ArmErrors.string(status, "status");
            if (value == null) {
                throw ArmErrors.invalid(what + ": the operation status has no status field; its outcome is unknown");
            }
            if (value.equalsIgnoreCase("Succeeded")) {
                return;
            }
            if (value.equalsIgnoreCase("Failed") || value.equalsIgnoreCase("Canceled")) {
                throw ArmErrors.operationFailed(what, value, status.get("error") instanceof JsonObject e ? e : null);
            }
            last = poll.headers();
        }
    }

    private void followLocation(String locationUrl, HttpHeaders first, long deadline, String what) {
        URL url = followUp(locationUrl, what + ": the Location URL", null);
        HttpHeaders last = first;
        for (int polls = 0; ; polls++) {
            waitForNextPoll(BoundedRetryPolicy.retryAfter(last), deadline, what, polls, null);
            Answer poll = readAfterAccepted(url, deadline, what + " (polling the operation)", true);
            if (poll.status() != 202) {
                return;
            }
            last = poll.headers();
        }
    }

    /**
     * Waits {@code retryAfter} (the operation's, or that of a poll that failed: {@code lastFailure}), kept within sane
     * bounds, unless that would pass the deadline.
     */
    private void waitForNextPoll(@Nullable Duration retryAfter, long deadline, String what, int polls,
            @Nullable ArmException lastFailure) {
        Duration wait = retryAfter == null ? DEFAULT_POLL_INTERVAL : retryAfter;
        if (wait.compareTo(MIN_POLL_INTERVAL) < 0) {
            wait = MIN_POLL_INTERVAL;
        }
        if (wait.compareTo(limits.maxSingleWait()) > 0) {
            wait = limits.maxSingleWait();
        }
        if (System.nanoTime() + wait.toNanos() > deadline) {
            throw new ArmException(ArmException.Kind.DEADLINE_EXCEEDED, 0, null, what + ": still running after "
                    + Durations.text(limits.operationDeadline()) + " (" + polls + " polls"
                    + (lastFailure == null ? "" : "; the last one failed: " + lastFailure.getMessage())
                    + "); not followed further, the write may still complete; the sweep will check again", null, null,
                    lastFailure);
        }
        sleep(wait);
    }

    // ------------------------------------------------------------------ listings

    /**
     * Every item of a subscription-wide listing, {@code GET /subscriptions/{subscriptionId}{providerPath}}, following
     * {@code nextLink}. A page must be a JSON object with a {@code value} array of objects.
     *
     * @throws ArmException {@link ArmException.Kind#INVALID_RESPONSE} for a malformed page, a {@code nextLink} that
     *     repeats, leaves the endpoint or the subscription, or more than {@link ArmLimits#maxPages()} pages;
     *     {@link ArmException.Kind#DEADLINE_EXCEEDED} past {@link ArmLimits#listDeadline()}
     */
    <T> List<T> list(String subscriptionId, String providerPath, String apiVersion, String what,
            ReadValueCallback<JsonReader, T> item) {
        if (subscriptionId.isBlank() || subscriptionId.contains("/")) {
            throw new IllegalArgumentException("not a subscription ID: " + subscriptionId);
        }
        return listAt("/subscriptions/" + subscriptionId, providerPath, apiVersion, what, item);
    }

    /**
     * Every item of a listing at {@code scopePath} (a subscription, a management group), {@code GET
     * {scopePath}{path}}, following {@code nextLink} only inside {@code scopePath}; judged as {@link #list}.
     */
    <T> List<T> listAt(String scopePath, String path, String apiVersion, String what, ReadValueCallback<JsonReader, T> item) {
        String scope = scopePath + "/";
        long deadline = System.nanoTime() + limits.listDeadline().toNanos();
        List<T> items = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        URL next = url(scopePath + path, apiVersion);
        for (int pages = 0; ; pages++) {
            if (!seen.add(next.toString())) {
                throw ArmErrors.invalid(what + ": page " + (pages + 1) + "'s nextLink repeats a page already read ("
                        + quote(next.toString()) + "); the listing cannot be trusted");
            }
            if (pages == limits.maxPages()) {
                throw ArmErrors.invalid(what + ": more than " + limits.maxPages() + " pages; the listing cannot be trusted");
            }
            if (System.nanoTime() > deadline) {
                throw new ArmException(ArmException.Kind.DEADLINE_EXCEEDED, 0, null, what + ": still paging after "
                        + Durations.text(limits.listDeadline()) + " (" + pages + " pages)", null, null, null);
            }
            Answer answer = ok(send(HttpMethod.GET, next, null, null, what), what);
            Page<T> page = page(answer.body(), item, what + ": page " + (pages + 1));
            items.addAll(page.items());
            if (page.nextLink() == null || page.nextLink().isBlank()) {
                return items;
            }
            next = followUp(page.nextLink(), what + ": page " + (pages + 1) + "'s nextLink", scope);
        }
    }

    private static <T> Page<T> page(byte[] body, ReadValueCallback<JsonReader, T> item, String what) {
        try (JsonReader reader = JsonProviders.createReader(body)) {
            if (reader.nextToken() != JsonToken.START_OBJECT) {
                throw ArmErrors.invalid(what + " is not a JSON object; the listing cannot be trusted");
            }
            List<T> items = null;
            String nextLink = null;
            while (reader.nextToken() != JsonToken.END_OBJECT) {
                String field = reader.getFieldName();
                JsonToken token = reader.nextToken();
                if (field.equals("value")) {
                    if (token != JsonToken.START_ARRAY) {
                        throw ArmErrors.invalid(what + " has no value array (" + field + ": " + token + "); the listing"
                                + " cannot be trusted");
                    }
                    items = new ArrayList<>();
                    while (reader.nextToken() != JsonToken.END_ARRAY) {
                        if (reader.currentToken() != JsonToken.START_OBJECT) {
                            throw ArmErrors.invalid(what + " has an item that is not an object; the listing cannot be trusted");
                        }
                        items.add(Objects.requireNonNull(item.read(reader), "an item reader answered null"));
                    }
                } else if (field.equals("nextLink")) {
                    if (token == JsonToken.STRING) {
                        nextLink = reader.getString();
                    } else if (token != JsonToken.NULL) {
                        throw ArmErrors.invalid(what + " has a nextLink that is not a string; the listing cannot be trusted");
                    }
                } else {
                    reader.skipChildren();
                }
            }
            if (items == null) {
                throw ArmErrors.invalid(what + " has no value array; the listing cannot be trusted");
            }
            return new Page<>(items, nextLink);
        } catch (ArmException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw ArmErrors.invalid(what + " is not valid JSON (" + e.getMessage() + "); the listing cannot be trusted");
        }
    }

    // ------------------------------------------------------------------ transport

    private Answer send(HttpMethod method, URL url, byte @Nullable [] body, @Nullable String ifMatch, String what) {
        HttpRequest request = new HttpRequest(method, url);
        request.setHeader(HttpHeaderName.ACCEPT, "application/json");
        if (body != null) {
            request.setHeader(HttpHeaderName.CONTENT_TYPE, "application/json");
            request.setBody(BinaryData.fromBytes(body));
        }
        if (ifMatch != null) {
            request.setHeader(HttpHeaderName.IF_MATCH, ifMatch);
        }
        try (HttpResponse response = pipeline.sendSync(request, Context.NONE)) {
            BinaryData data = response.getBodyAsBinaryData();
            byte[] bytes = data == null ? new byte[0] : data.toBytes();
            return new Answer(response.getStatusCode(), response.getHeaders(), bytes);
        } catch (RuntimeException e) {
            throw ArmErrors.map(what, e);
        }
    }

    private static Answer ok(Answer answer, String what) {
        if (answer.status() >= 200 && answer.status() < 300) {
            return answer;
        }
        throw ArmErrors.fromResponse(what, answer.status(), BoundedRetryPolicy.retryAfter(answer.headers()), answer.body());
    }

    /** {@code {endpoint}{path}?api-version=…}, the path's characters quoted where a URL needs it. */
    URL url(String path, String apiVersion) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("not an ARM path: " + path);
        }
        String base = endpoint.getRawPath() == null ? "" : endpoint.getPath();
        String joined = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
        try {
            return new URI(endpoint.getScheme(), endpoint.getRawAuthority(), joined, "api-version=" + apiVersion, null).toURL();
        } catch (URISyntaxException | MalformedURLException e) {
            throw new IllegalArgumentException("not an ARM path: " + path, e);
        }
    }

    /**
     * A URL that ARM handed out (a {@code nextLink}, an operation URL), followed only when it is on the ARM endpoint:
     * same scheme, host and port (the pipeline would send the bearer token wherever it points), and for a listing
     * inside the listed subscription.
     */
    private URL followUp(String link, String what, @Nullable String requiredPathPrefix) {
        URI uri;
        try {
            uri = new URI(link);
        } catch (URISyntaxException e) {
            throw ArmErrors.invalid(what + " is not a URL (" + quote(link) + "); not followed");
        }
        if (!endpoint.getScheme().equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
                || !endpoint.getHost().equalsIgnoreCase(uri.getHost()) || port(endpoint) != port(uri)) {
            throw ArmErrors.invalid(what + " points outside " + endpoint.getScheme() + "://" + endpoint.getRawAuthority()
                    + " (" + quote(link) + "); not followed");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        // A dot segment (also percent-encoded: getPath decodes) would pass the prefix check and then climb out of it on the
        // server (RFC 3986 §5.2.4); ARM hands out none.
        boolean climbs = ("/" + path + "/").contains("/../") || ("/" + path + "/").contains("/./");
        if (requiredPathPrefix != null && (climbs || !path.toLowerCase(Locale.ROOT).startsWith(requiredPathPrefix.toLowerCase(Locale.ROOT)))) {
            throw ArmErrors.invalid(what + " leaves " + requiredPathPrefix.substring(0, requiredPathPrefix.length() - 1)
                    + " (" + quote(link) + "); not followed");
        }
        try {
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw ArmErrors.invalid(what + " is not a URL (" + quote(link) + "); not followed");
        }
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static @Nullable String provisioningState(byte[] body) {
        JsonObject doc = object(body);
        JsonObject properties = doc == null || !(doc.get("properties") instanceof JsonObject p) ? null : p;
        return properties == null ? null : ArmErrors.string(properties, "provisioningState");
    }

    private static @Nullable JsonObject object(byte[] body) {
        try {
            JsonElement parsed = StrictJson.parse(body);
            return parsed instanceof JsonObject o ? o : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String quote(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArmException(ArmException.Kind.TRANSIENT, 0, null, "interrupted while following an operation", null, null, e);
        }
    }
}
