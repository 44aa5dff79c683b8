package dev.aksrouteguard.teams;

import java.util.Objects;
import java.util.logging.Logger;

/**
 * Posts the alert to the webhook at once (with {@link Webhook}'s bounded retry). An alert that cannot be delivered is
 * one Warning without the URL, and its claims are given back so that the next occurrence tries again.
 */
final class PostDispatch implements Dispatch {

    private final Webhook webhook;
    private final AlertMemory memory;
    private final Logger log;

    PostDispatch(Webhook webhook, AlertMemory memory, Logger log) {
        this.webhook = Objects.requireNonNull(webhook, "webhook == null");
        this.memory = Objects.requireNonNull(memory, "memory == null");
        this.log = Objects.requireNonNull(log, "log == null");
    }

    @Override
    public void send(AlertMessage message) {
        Webhook.Delivery d = webhook.post(message.card());
        if (d.delivered()) {
            log.fine(() -> "Teams alert sent: " + message.subject());
        } else {
            log.warning("failed alerts: Teams alert not delivered (" + message.subject() + "): " + d.detail());
            message.claimIds().forEach(memory::release);
        }
    }

    @Override
    public String describe() {
        return "sent directly";
    }
}
