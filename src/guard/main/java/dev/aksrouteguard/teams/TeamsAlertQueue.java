package dev.aksrouteguard.teams;

import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Nullable;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The durable half of Teams alerting: the {@value #NAME} Storage queue, and the delivery of its messages for the
 * queue-triggered function. The sink's background thread claims, renders and queues an {@link AlertMessage}; the
 * Functions host hands each message to the function, which calls {@link #deliver}.
 *
 * <p>A message whose post fails in a way a later try can fix (throttling, 5xx, the network) is given back to the host
 * ({@link Result#redeliver()}: the function throws), which makes it visible again after {@code visibilityTimeout} and,
 * after {@value #MAX_DEQUEUE_COUNT} dequeues, moves it to {@value #POISON_NAME}. On that last attempt the failure is
 * one Warning and the alert memory's claims are released, so the next occurrence of the finding is alerted again.
 * A message that no retry can help (Teams refused the card, the URL is gone or not set, the message is unreadable) is
 * one Warning and is not retried. A webhook URL given as a Key Vault reference that App Service could not resolve is
 * a failure a later try can fix (the role or the vault's network rules mended, the app restarted): its messages are
 * kept, delivered again and finally poisoned like a Teams outage's, each attempt one Warning. No line carries the
 * webhook URL.
 */
public final class TeamsAlertQueue {

    /** The queue the function app's alerts go through (the infrastructure creates it). */
    public static final String NAME = "routeguard-alerts";

    /** Where the Functions host moves a message after its last attempt ({@code <queue>-poison}). */
    public static final String POISON_NAME = NAME + "-poison";

    /** {@code extensions.queues.maxDequeueCount} in {@code host.json}: the attempt that is the last. */
    public static final int MAX_DEQUEUE_COUNT = 5;

    /** What became of one message. */
    public enum Result {
        /** Posted (a Workflows webhook answers 202: accepted, not necessarily shown yet). */
        DELIVERED,
        /** Not delivered and not retried: no retry can help. */
        DROPPED,
        /** Not delivered yet: the host should deliver the message again. */
        RETRY,
        /** Not delivered on the last attempt: the host moves the message to the poison queue. */
        POISONED;

        /** True when the function must throw, so that the host keeps the message (redelivers it, or poisons it). */
        public boolean redeliver() {
            return this == RETRY || this == POISONED;
        }
    }

    private final @Nullable Webhook webhook;
    private final AlertMemory memory;
    /** Why there is no webhook though one was meant to be set ({@link Settings#alertsProblem()}); null otherwise. */
    private final @Nullable String unresolved;

    TeamsAlertQueue(@Nullable Webhook webhook, AlertMemory memory) {
        this(webhook, memory, null);
    }

    TeamsAlertQueue(@Nullable Webhook webhook, AlertMemory memory, @Nullable String unresolved) {
        this.webhook = webhook;
        this.memory = Objects.requireNonNull(memory, "memory == null");
        this.unresolved = webhook == null ? unresolved : null;
    }

    /** The delivery side for {@code settings}, over the wiring's Storage clients. */
    public static TeamsAlertQueue create(Settings settings, AlertStorage storage, Logger log) {
        Objects.requireNonNull(settings, "settings == null");
        Objects.requireNonNull(storage, "storage == null");
        Objects.requireNonNull(log, "log == null");
        Secret url = settings.teamsWebhookUrl();
        Redaction redaction = Redaction.of(url);
        Webhook webhook = url == null ? null : new Webhook(url, Webhook.defaultClient(), Webhook.Pause.SLEEP, redaction);
        AlertMemory memory = storage.table() == null
                ? AlertMemory.NONE
                : new TableAlertMemory(storage.table(), settings.alertRepeat(), log, redaction);
        return new TeamsAlertQueue(webhook, memory, settings.alertsProblem());
    }

    /**
     * Posts one queued alert.
     *
     * @param message the queue message's text, as the host passes it (decoded from Base64)
     * @param dequeueCount how many times the host has handed out this message, this time included
     * @param log the invocation's logger
     */
    public Result deliver(String message, long dequeueCount, Logger log) {
        Objects.requireNonNull(log, "log == null");
        AlertMessage alert;
        try {
            alert = AlertMessage.parse(message);
        } catch (IllegalArgumentException e) {
            log.warning("failed alerts: dropped a message of the " + NAME + " queue that is not an alert ("
                    + e.getMessage() + ")");
            return Result.DROPPED;
        }
        if (webhook == null && unresolved != null) {
            // Meant to be set: kept for a later delivery, then in the poison queue, where it can be sent again.
            if (dequeueCount >= MAX_DEQUEUE_COUNT) {
                log.warning(unresolved + ". The queued alert (" + alert.subject() + ") was not delivered after " + dequeueCount
                        + " deliveries from the queue; the message goes to " + POISON_NAME);
                alert.claimIds().forEach(memory::release);
                return Result.POISONED;
            }
            log.warning(unresolved + ". The queued alert (" + alert.subject() + ") is kept: the queue delivers it again");
            return Result.RETRY;
        }
        if (webhook == null) {
            log.warning("failed alerts: " + Settings.TEAMS_WEBHOOK_URL + " is not set; dropped the queued alert ("
                    + alert.subject() + ")");
            alert.claimIds().forEach(memory::release);
            return Result.DROPPED;
        }
        Webhook.Delivery d = webhook.post(alert.card());
        if (d.delivered()) {
            log.fine(() -> "Teams alert sent: " + alert.subject());
            return Result.DELIVERED;
        }
        if (!d.retryable()) {
            log.warning("failed alerts: Teams alert not delivered (" + alert.subject() + "): " + d.detail());
            alert.claimIds().forEach(memory::release);
            return Result.DROPPED;
        }
        if (dequeueCount >= MAX_DEQUEUE_COUNT) {
            log.warning("failed alerts: Teams alert not delivered (" + alert.subject() + ") after " + dequeueCount
                    + " deliveries from the queue: " + d.detail() + "; the message goes to " + POISON_NAME);
            alert.claimIds().forEach(memory::release);
            return Result.POISONED;
        }
        log.fine(() -> "Teams alert not delivered yet (" + alert.subject() + ", delivery " + dequeueCount + " of "
                + MAX_DEQUEUE_COUNT + "): " + d.detail() + "; the queue delivers it again");
        return Result.RETRY;
    }
}
