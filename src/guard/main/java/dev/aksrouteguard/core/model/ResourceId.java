package dev.aksrouteguard.core.model;

import java.util.Objects;

/**
 * An Azure Resource Manager resource ID. Compares case-insensitively, as ARM does: event subjects,
 * {@code vnetSubnetID}s and SDK responses disagree on the casing of the same ID.
 *
 * <p>Accepts {@code /subscriptions/{s}}, {@code /subscriptions/{s}/resourceGroups/{rg}} and resources
 * under {@code .../providers/{namespace}/{type}/{name}[/{childType}/{childName}]...}.
 */
public record ResourceId(String value) {

    public ResourceId {
        Objects.requireNonNull(value, "value == null");
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException("not an ARM resource ID (" + problem + "): " + value);
        }
        if (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
    }

    /** Parses an ARM resource ID, throwing {@link IllegalArgumentException} with the reason when it is not one. */
    public static ResourceId parse(String value) {
        return new ResourceId(value);
    }

    /** True when {@code value} is a well-formed ARM resource ID. */
    public static boolean isValid(@Nullable String value) {
        return value != null && problem(value) == null;
    }

    private static @Nullable String problem(String value) {
        String v = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        if (!v.startsWith("/")) {
            return "must start with /subscriptions/";
        }
        String[] p = v.substring(1).split("/", -1);
        for (String segment : p) {
            if (segment.isBlank()) {
                return "empty segment";
            }
        }
        if (p.length < 2 || !p[0].equalsIgnoreCase("subscriptions")) {
            return "must start with /subscriptions/";
        }
        if (p.length == 2) {
            return null;
        }
        if (p.length < 4 || !p[2].equalsIgnoreCase("resourceGroups")) {
            return "expected /resourceGroups/{name} after the subscription";
        }
        if (p.length == 4) {
            return null;
        }
        if (!p[4].equalsIgnoreCase("providers") || p.length < 8) {
            return "expected /providers/{namespace}/{type}/{name} after the resource group";
        }
        if ((p.length - 6) % 2 != 0) {
            return "type and name segments do not pair up";
        }
        return null;
    }

    private String[] segments() {
        return value.substring(1).split("/");
    }

    public String subscriptionId() {
        return segments()[1];
    }

    /** The resource group name, or null for a subscription ID. */
    public @Nullable String resourceGroup() {
        String[] p = segments();
        return p.length >= 4 ? p[3] : null;
    }

    /** The full resource type, e.g. {@code Microsoft.Network/virtualNetworks/subnets}; empty for a subscription or group. */
    public String type() {
        String[] p = segments();
        if (p.length < 8) {
            return "";
        }
        StringBuilder type = new StringBuilder(p[5]);
        for (int i = 6; i < p.length; i += 2) {
            type.append('/').append(p[i]);
        }
        return type.toString();
    }

    /** True when this is a resource of {@code type} (case-insensitive). */
    public boolean isType(String type) {
        return type().equalsIgnoreCase(type);
    }

    /** The last name segment (resource, group or subscription). */
    public String name() {
        String[] p = segments();
        return p[p.length - 1];
    }

    /** The parent resource of a child resource (a subnet's VNet, an agent pool's cluster). */
    public ResourceId parent() {
        String[] p = segments();
        if (p.length < 10) {
            throw new IllegalStateException("not a child resource: " + value);
        }
        int cut = value.length();
        for (int i = 0; i < 2; i++) {
            cut = value.lastIndexOf('/', cut - 1);
        }
        return new ResourceId(value.substring(0, cut));
    }

    /** A child resource of this one. */
    public ResourceId child(String childType, String childName) {
        return new ResourceId(value + "/" + childType + "/" + childName);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceId other && value.equalsIgnoreCase(other.value);
    }

    /** Case-insensitive, without allocating: IDs are map keys on the sweep's hot path. */
    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 128) {
                h = 31 * h + (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c); // ARM IDs are ASCII: the fast path
            } else {
                h = 31 * h + Character.toLowerCase(Character.toUpperCase(c));
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return value;
    }
}
