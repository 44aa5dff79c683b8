package dev.aksrouteguard.core.port;

import java.util.Locale;
import java.util.Objects;

/**
 * Port: which subscriptions this guard may read and write. Nothing outside them is ever read or written, whatever an
 * event, a cluster's {@code vnetSubnetID} or a command line names. Case-insensitive, as ARM IDs are.
 */
public interface GuardedSubscriptions {

    /** True when the guard acts in {@code subscriptionId}. */
    boolean contains(String subscriptionId);

    /** One line for an outcome's next step: what would bring {@code subscriptionId} under guard. */
    String howToCover(String subscriptionId);

    /** The guarded subscriptions in words, for messages ("subscription 1234…"). */
    String describe();

    /** Exactly one subscription, as {@code AZURE_SUBSCRIPTION_ID} sets it. */
    static GuardedSubscriptions only(String subscriptionId) {
        String id = Objects.requireNonNull(subscriptionId, "subscriptionId == null").toLowerCase(Locale.ROOT);
        return new GuardedSubscriptions() {
            @Override
            public boolean contains(String other) {
                return other != null && other.equalsIgnoreCase(id);
            }

            @Override
            public String howToCover(String other) {
                return "deploy aks-route-guard for subscription " + other + " too";
            }

            @Override
            public String describe() {
                return "subscription " + id;
            }
        };
    }
}
