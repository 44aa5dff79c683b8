/**
 * Microsoft Teams alerts: the {@link dev.aksrouteguard.core.port.AlertSink} that posts a card to a Teams webhook for
 * every repair and every problem the guard cannot fix, with repeat suppression kept in Azure Table storage.
 *
 * <p>Public: {@link dev.aksrouteguard.teams.TeamsWebhookAlertSink} (the sink the wiring builds once per worker or
 * CLI run) and {@link dev.aksrouteguard.teams.TeamsCards} (the card that would be sent, for the demo). Everything
 * else is package-private.
 *
 * <p>The webhook URL carries a signature: it is never logged, printed or put in an exception message. Everything
 * in this package is non-null unless annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.teams;
