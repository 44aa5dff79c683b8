/**
 * Microsoft Teams alerts: the {@link dev.aksrouteguard.core.port.AlertSink} that posts a card to a Teams webhook for
 * every repair and every problem the guard cannot fix, with repeat suppression kept in Azure Table storage and, in the
 * function app, durable delivery through a Storage queue.
 *
 * <p>Public: {@link dev.aksrouteguard.teams.TeamsWebhookAlertSink} (the sink the wiring builds once per worker or
 * CLI run), {@link dev.aksrouteguard.teams.TeamsAlertQueue} (the queue's name and the delivery of its messages, for
 * the queue-triggered function), {@link dev.aksrouteguard.teams.AlertStorage} (the Storage clients the wiring hands
 * in), {@link dev.aksrouteguard.teams.TeamsMessages} (the message that would be sent, for the demo) and
 * {@link dev.aksrouteguard.teams.SdkLogScrubbing} (keeps secrets out of the SDKs' own log lines). Everything else is
 * package-private: the text of a card ({@code CardText}), its fitting to size ({@code CardSizing}), its format
 * ({@code CardFormatter}), the background queue, the sweep summary, the alert memory, the webhook.
 *
 * <p>The webhook URL carries a signature: it is never logged, printed, queued or put in an exception message.
 * Everything in this package is non-null unless annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.teams;
