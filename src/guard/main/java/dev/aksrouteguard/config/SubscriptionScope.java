package dev.aksrouteguard.config;

import java.util.List;
import java.util.Objects;

/**
 * What the guard guards, from exactly one of three settings: one subscription ({@code AZURE_SUBSCRIPTION_ID}), a list
 * ({@code AZURE_SUBSCRIPTION_IDS}), or every subscription below a management group ({@code AZURE_MANAGEMENT_GROUP_ID},
 * discovered at run time, so a subscription added to the group later is guarded without a redeploy).
 */
public sealed interface SubscriptionScope {

    /** The setting this scope came from, for messages. */
    String setting();

    /** In words, for cards and logs: "subscription 1234…", "3 subscriptions", "management group platform". */
    String describe();

    /**
     * A short, stable key of this scope, for what is remembered per guard (a sweep's own finding in the alert memory):
     * the subscription ID, {@code managementGroup:<id>}, or {@code subscriptions:<hash of the sorted list>}.
     */
    String key();

    /** One subscription. */
    record Single(String subscriptionId) implements SubscriptionScope {
        public Single {
            Objects.requireNonNull(subscriptionId, "subscriptionId == null");
        }

        @Override
        public String setting() {
            return Settings.AZURE_SUBSCRIPTION_ID;
        }

        @Override
        public String describe() {
            return "subscription " + subscriptionId;
        }

        @Override
        public String key() {
            return subscriptionId;
        }
    }

    /** A fixed list of subscriptions, in the order given, without duplicates. */
    record Listed(List<String> subscriptionIds) implements SubscriptionScope {
        public Listed {
            subscriptionIds = List.copyOf(subscriptionIds);
            if (subscriptionIds.isEmpty()) {
                throw new IllegalArgumentException("no subscription");
            }
        }

        @Override
        public String setting() {
            return Settings.AZURE_SUBSCRIPTION_IDS;
        }

        @Override
        public String describe() {
            return subscriptionIds.size() == 1 ? "subscription " + subscriptionIds.get(0) : subscriptionIds.size() + " subscriptions";
        }

        @Override
        public String key() {
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(String.join(",",
                        subscriptionIds.stream().sorted().toList()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return "subscriptions:" + java.util.HexFormat.of().formatHex(digest, 0, 8);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }
    }

    /** Every subscription below a management group (at any depth), as the Management Groups API lists them. */
    record ManagementGroup(String groupId) implements SubscriptionScope {
        public ManagementGroup {
            Objects.requireNonNull(groupId, "groupId == null");
        }

        @Override
        public String setting() {
            return Settings.AZURE_MANAGEMENT_GROUP_ID;
        }

        @Override
        public String describe() {
            return "the subscriptions below management group " + groupId;
        }

        @Override
        public String key() {
            return "managementGroup:" + groupId.toLowerCase(java.util.Locale.ROOT);
        }
    }
}
