package dev.aksrouteguard.core.model;

import java.util.Locale;
import java.util.Objects;

/**
 * What the deployment lookup of a write (by its correlation ID) says about who made it. Three states, because "no
 * deployment" is only evidence when the guard looked and found none: a lookup that was late, failed or was refused says
 * nothing about the tool, and an alert that then blamed a tool that calls ARM directly (Terraform) would send a team
 * to fix the wrong IaC.
 */
public sealed interface Attribution {

    /** What the lookup of a write found, in one word: the repair history keeps this (the deployment as text). */
    enum Kind {
        FOUND, NONE_FOUND, UNKNOWN;

        /** {@code found}, {@code none-found}, {@code unknown}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The kind of {@link #word()}, or null for anything else (a row written before the kind was kept). */
        public static @Nullable Kind of(@Nullable String word) {
            for (Kind k : values()) {
                if (k.word().equalsIgnoreCase(String.valueOf(word))) {
                    return k;
                }
            }
            return null;
        }
    }

    Kind kind();

    /** The deployment that made the write, or null unless {@link Found}. */
    default @Nullable Deployment deployment() {
        return this instanceof Found f ? f.deployment() : null;
    }

    /** A deployment carries the write's correlation ID: it made the write. */
    record Found(Deployment deployment) implements Attribution {
        public Found {
            Objects.requireNonNull(deployment, "deployment == null");
        }

        @Override
        public Kind kind() {
            return Kind.FOUND;
        }
    }

    /** The lookup answered and no deployment carries the correlation ID: a tool that calls ARM directly made the write. */
    record NoneFound() implements Attribution {
        @Override
        public Kind kind() {
            return Kind.NONE_FOUND;
        }
    }

    /** Looked, but no answer: nothing is known of the tool. */
    record Unknown(Reason reason) implements Attribution {
        public Unknown {
            Objects.requireNonNull(reason, "reason == null");
        }

        @Override
        public Kind kind() {
            return Kind.UNKNOWN;
        }
    }

    /** Why the lookup gave no answer. */
    enum Reason {
        /** It had not answered when the outcome went on (to the log line and the alert). */
        LATE("had not answered in time"),
        /** ARM refused it: the guard's identity lacks {@code Microsoft.Resources/deployments/read}. */
        NOT_PERMITTED("was refused (the guard's identity needs Microsoft.Resources/deployments/read)"),
        /** It failed (ARM unavailable, throttled past its limits, a listing that could not be trusted). */
        FAILED("failed"),
        /** It was not started: too much work was queued. */
        SKIPPED("was skipped (too much work queued)");

        private final String words;

        Reason(String words) {
            this.words = words;
        }

        /** "had not answered in time", after "the deployment lookup". */
        public String words() {
            return words;
        }
    }

    NoneFound NONE_FOUND = new NoneFound();

    static Attribution found(Deployment d) {
        return new Found(d);
    }

    static Attribution unknown(Reason reason) {
        return new Unknown(reason);
    }
}
