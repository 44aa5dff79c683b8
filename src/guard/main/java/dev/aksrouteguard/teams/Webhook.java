package dev.aksrouteguard.teams;

import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.core.model.RetryAfter;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Posts one JSON message to the Teams webhook: short timeouts, at most {@value #MAX_ATTEMPTS} attempts on 429, 5xx
 * and network errors, honouring {@code Retry-After} up to {@link #MAX_PAUSE}, all within {@link #DEADLINE}. Never
 * throws, and never lets the URL out: results carry only a status and a scrubbed phrase.
 */
final class Webhook {

    static final int MAX_ATTEMPTS = 3;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** The longest pause between attempts, whatever {@code Retry-After} asks for. */
    static final Duration MAX_PAUSE = Duration.ofSeconds(10);
    /** No new attempt starts after this much time on one message. */
    static final Duration DEADLINE = Duration.ofSeconds(30);

    /** How the retry waits; tests record the pauses instead of sleeping through them. */
    interface Pause {
        void pause(Duration duration) throws InterruptedException;

        Pause SLEEP = d -> Thread.sleep(d.toMillis());
    }

    /**
     * What became of one message: delivered or not, whether another try later could succeed (throttling, 5xx, the
     * network), after how many attempts, and why not (safe to log). Delivered means accepted: a Workflows webhook
     * answers 202 and runs its flow afterwards, so a 2xx is not proof that the card was posted.
     */
    record Delivery(boolean delivered, boolean retryable, int attempts, String detail) {}

    private final Secret url;
    private final HttpClient http;
    private final Pause pause;
    private final Redaction redaction;

    Webhook(Secret url, HttpClient http, Pause pause, Redaction redaction) {
        silenceJdkHttpDebug(); // again: a logging configuration re-read since class initialisation may have reset it
        this.url = Objects.requireNonNull(url, "url == null");
        this.http = Objects.requireNonNull(http, "http == null");
        this.pause = Objects.requireNonNull(pause, "pause == null");
        this.redaction = Objects.requireNonNull(redaction, "redaction == null");
    }

    /**
     * The JDK's HttpClient writes every request URI, signature included, to its internal debug logger whenever that
     * logger is enabled: pinned off ({@link SdkLogScrubbing#silenceJdkHttpDebug()}), again here because a logging
     * configuration re-read since start-up may have reset it.
     */
    static void silenceJdkHttpDebug() {
        SdkLogScrubbing.silenceJdkHttpDebug();
    }

    /** The client the sink uses: short connect timeout, no redirects (a redirect would carry the signature elsewhere). */
    static HttpClient defaultClient() {
        return HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    Delivery post(String json) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url.reveal()))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                    .build();
        } catch (RuntimeException e) {
            return new Delivery(false, false, 0, "TEAMS_WEBHOOK_URL is not a usable URL");
        }
        long started = System.nanoTime();
        String problem = "not attempted";
        int attempt = 0;
        while (attempt < MAX_ATTEMPTS) {
            attempt++;
            Duration wait;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                int teamsStatus = status / 100 == 2 ? teamsErrorInBody(response.body()) : 0;
                if (status / 100 == 2 && teamsStatus == 0) {
                    return new Delivery(true, false, attempt, "HTTP " + status);
                }
                if (status / 100 == 2) {
                    problem = "HTTP " + status + " carrying Teams' HTTP error " + teamsStatus;
                    if (teamsStatus != 429 && teamsStatus / 100 != 5) {
                        return new Delivery(false, false, attempt, problem + hint(teamsStatus));
                    }
                    wait = backoff(attempt);
                } else if (status == 429 || status / 100 == 5) {
                    problem = "HTTP " + status;
                    wait = retryAfter(response).orElse(backoff(attempt));
                } else {
                    return new Delivery(false, false, attempt, "HTTP " + status + hint(status));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Delivery(false, true, attempt, "interrupted");
            } catch (IOException e) {
                problem = describe(e);
                wait = backoff(attempt);
            } catch (RuntimeException e) {
                return new Delivery(false, false, attempt, redaction.describe(e));
            }
            if (attempt == MAX_ATTEMPTS) {
                break;
            }
            Duration pauseFor = wait.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : wait;
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            if (elapsed.plus(pauseFor).compareTo(DEADLINE) > 0) {
                break;
            }
            try {
                pause.pause(pauseFor);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Delivery(false, true, attempt, problem + "; interrupted before retrying");
            }
        }
        return new Delivery(false, true, attempt, problem + " after " + attempt + " attempt" + (attempt == 1 ? "" : "s"));
    }

    /**
     * A legacy connector answers 200 whatever Teams made of the message and puts Teams' answer in the body: "Webhook
     * message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId ..."
     * (Microsoft in MicrosoftDocs/msteams-docs#1810: connectors "return 200 with error in the response content/body";
     * #4145 for a 400; the connectors-using page for a 429: "Connectors do not throw 429s"). So a 2xx with such a body
     * is not a delivery: the status Teams gave, or 0 when the body carries none (a Workflows webhook's empty 202, a
     * connector's "1").
     */
    static int teamsErrorInBody(String body) {
        if (body == null || body.length() > 2000) {
            return 0;
        }
        Matcher m = TEAMS_ERROR.matcher(body);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static final Pattern TEAMS_ERROR = Pattern.compile("returned HTTP error (\\d{3})\\b");

    private static Duration backoff(int attempt) {
        return Duration.ofSeconds(attempt); // 1 s, then 2 s
    }

    /** {@code Retry-After} as seconds or an HTTP date; absent, unparsable or negative: empty. */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return Optional.ofNullable(RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null)));
    }

    private static String hint(int status) {
        return switch (status) {
            case 400 -> " (Teams refused the card)";
            case 401, 403, 404 -> " (the webhook URL is wrong or expired, or its workflow or connector was removed)";
            case 413 -> " (the message is too large)";
            default -> "";
        };
    }

    /** Network errors in a fixed vocabulary; other messages scrubbed (an HttpClient message may quote the URI). */
    private String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connect timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out after " + REQUEST_TIMEOUT.toSeconds() + " s";
        }
        if (e instanceof ConnectException) {
            return "connection refused or unreachable";
        }
        return redaction.describe(e);
    }
}
