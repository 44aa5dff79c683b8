package dev.aksrouteguard.teams;

/**
 * The last step of an alert on the background thread, after claiming and rendering: post it now
 * ({@link PostDispatch}: the CLI, a laptop) or hand it to the Storage queue ({@link QueueDispatch}: the function app,
 * where a queue-triggered function posts it and retries, so that the alert survives the instance that raised it).
 * Never throws.
 */
interface Dispatch {

    void send(AlertMessage message);

    /** How alerts leave, for the one line that says how alerts are sent. */
    String describe();
}
