package dev.aksrouteguard.core.port;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Nullable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Port: which subscriptions this guard may read and write. Nothing outside them is ever read or written, whatever an
 * event, a cluster's {@code vnetSubnetID} or a command line names. Case-insensitive, as ARM IDs are; subscription IDs
 * come back lower case.
 *
 * <p>A fixed set ({@code AZURE_SUBSCRIPTION_ID}, {@code AZURE_SUBSCRIPTION_IDS}) or a management group's
 * subscriptions, discovered through ARM on first use and again after a time to live, by every sweep, and when an event
 * names a subscription not seen yet ({@code AZURE_MANAGEMENT_GROUP_ID}).
 */
public interface GuardedSubscriptions {

    /** True when the guard acts in {@code subscriptionId}. */
    boolean contains(String subscriptionId);

    /** The guarded subscriptions, as known now. */
    List<String> list();

    /**
     * Discovers the subscriptions again now (a management group's), and returns them. A discovery that fails keeps
     * the last known list. @throws dev.aksrouteguard.core.model.ArmException when there is no list at all
     */
    List<String> refresh();

    /** One line for an outcome's next step: what would bring {@code subscriptionId} under guard. */
    String howToCover(String subscriptionId);

    /** The guarded subscriptions in words, for messages ("subscription 1234…", "3 subscriptions …"). */
    String describe();

    /**
     * Why the last discovery of the subscriptions failed, while the list before it is still in use (a management
     * group's: a fixed list is never discovered); null when the list is current. A sweep and an audit report it, since
     * a stale list can miss a subscription added since, or still guard one moved out.
     */
    default @Nullable ArmException problem() {
        return null;
    }

    /** A subscription's display name, when known; null otherwise. */
    default @Nullable String name(String subscriptionId) {
        return null;
    }

    /** Exactly one subscription, as {@code AZURE_SUBSCRIPTION_ID} sets it. */
    static GuardedSubscriptions only(String subscriptionId) {
        return fixed(List.of(subscriptionId), "AZURE_SUBSCRIPTION_ID");
    }

    /** A fixed list, as {@code setting} sets it. */
    static GuardedSubscriptions fixed(List<String> subscriptionIds, String setting) {
        List<String> ids = subscriptionIds.stream().map(s -> s.toLowerCase(Locale.ROOT)).distinct().toList();
        Objects.requireNonNull(setting, "setting == null");
        return new GuardedSubscriptions() {
            @Override
            public boolean contains(String other) {
                return other != null && ids.contains(other.toLowerCase(Locale.ROOT));
            }

            @Override
            public List<String> list() {
                return ids;
            }

            @Override
            public List<String> refresh() {
                return ids;
            }

            @Override
            public String howToCover(String other) {
                return ids.size() == 1 && setting.equals("AZURE_SUBSCRIPTION_ID")
                        ? "guard subscription " + other + " too: list both in AZURE_SUBSCRIPTION_IDS (instead of AZURE_SUBSCRIPTION_ID), "
                                + "or deploy aks-route-guard for it"
                        : "add subscription " + other + " to " + setting;
            }

            @Override
            public String describe() {
                return ids.size() == 1 ? "subscription " + ids.get(0) : ids.size() + " subscriptions (" + setting + ")";
            }
        };
    }
}
