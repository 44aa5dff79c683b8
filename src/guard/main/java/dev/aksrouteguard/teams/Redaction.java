package dev.aksrouteguard.teams;

import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Secrets;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Scrubs secrets out of text that came from somewhere else (an exception message) before it can reach a log line:
 * the webhook URL and every distinctive part of it, then whatever {@link Secrets#mask} masks (the keys and signatures
 * of storage connection strings, tokens).
 */
final class Redaction {

    static final String MASK = "***";

    private final List<String> parts;

    private Redaction(List<String> parts) {
        this.parts = parts;
    }

    /** Scrubs storage secrets only. */
    static Redaction storageOnly() {
        return of(null);
    }

    /** Scrubs the parts of {@code webhook} (when given) and storage secrets. */
    static Redaction of(@Nullable Secret webhook) {
        List<String> parts = new ArrayList<>();
        if (webhook != null) {
            String url = webhook.reveal();
            parts.add(url);
            try {
                URI uri = URI.create(url);
                add(parts, uri.getRawQuery());
                add(parts, uri.getQuery());
                add(parts, uri.getRawPath());
                add(parts, uri.getPath());
                add(parts, uri.getHost());
                if (uri.getRawPath() != null) {
                    for (String segment : uri.getRawPath().split("/")) {
                        if (segment.length() >= 8) {
                            add(parts, segment);
                        }
                    }
                }
                if (uri.getRawQuery() != null) {
                    for (String pair : uri.getRawQuery().split("&")) {
                        int eq = pair.indexOf('=');
                        if (eq >= 0 && pair.length() - eq - 1 >= 8) {
                            add(parts, pair.substring(eq + 1));
                        }
                    }
                }
            } catch (IllegalArgumentException e) {
                // not a URI: the whole value is already masked
            }
        }
        parts.sort(Comparator.comparingInt(String::length).reversed());
        return new Redaction(List.copyOf(parts));
    }

    private static void add(List<String> parts, @Nullable String part) {
        if (part != null && part.length() >= 4 && !part.equals("/")) {
            parts.add(part);
        }
    }

    /** {@code text} without any secret; null becomes empty. */
    String scrub(@Nullable String text) {
        if (text == null) {
            return "";
        }
        String out = text;
        for (String part : parts) {
            out = out.replace(part, MASK);
        }
        return Secrets.mask(out);
    }

    /**
     * One safe phrase for a failure: the exception's type and its scrubbed message, never its cause chain or stack
     * (either may carry the URL).
     */
    String describe(Throwable e) {
        String message = scrub(e.getMessage());
        if (message.length() > 200) {
            message = message.substring(0, 200) + "…";
        }
        return message.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }
}
