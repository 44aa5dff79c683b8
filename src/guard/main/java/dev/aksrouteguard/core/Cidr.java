package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Nullable;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;

/** An IPv4 or IPv6 prefix, parsed without DNS. Used to tie routes to a cluster's pod CIDRs and node subnets. */
record Cidr(byte[] address, int bits) {

    Cidr {
        Objects.requireNonNull(address, "address == null");
        if (bits < 0 || bits > address.length * 8) {
            throw new IllegalArgumentException("prefix length out of range: " + bits);
        }
    }

    /** Parses {@code a.b.c.d/n}, an IPv6 prefix, or a bare address (a host prefix); null when it is neither. */
    static @Nullable Cidr parse(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        byte[] address = parseAddress(slash < 0 ? t : t.substring(0, slash));
        if (address == null) {
            return null;
        }
        int bits;
        if (slash < 0) {
            bits = address.length * 8;
        } else {
            try {
                bits = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (bits < 0 || bits > address.length * 8) {
                return null;
            }
        }
        return new Cidr(address, bits);
    }

    /** The first address of the prefix, as an unsigned number (for range lookups). */
    BigInteger first() {
        return new BigInteger(1, address).shiftRight(address.length * 8 - bits).shiftLeft(address.length * 8 - bits);
    }

    /** The last address of the prefix, as an unsigned number. */
    BigInteger last() {
        BigInteger hostBits = BigInteger.ONE.shiftLeft(address.length * 8 - bits).subtract(BigInteger.ONE);
        return first().or(hostBits);
    }

    /** This address as an unsigned number (for a host prefix, the host). */
    BigInteger number() {
        return new BigInteger(1, address);
    }

    boolean isIpv4() {
        return address.length == 4;
    }

    /** True when every address of {@code other} lies inside this prefix. */
    boolean contains(Cidr other) {
        return other.address.length == address.length && other.bits >= bits && samePrefix(other.address, bits);
    }

    private boolean samePrefix(byte[] other, int prefixBits) {
        int full = prefixBits / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != other[i]) {
                return false;
            }
        }
        int rest = prefixBits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (address[full] & mask) == (other[full] & mask);
    }

    private static byte @Nullable [] parseAddress(String s) {
        return s.indexOf(':') >= 0 ? parseIpv6(s) : parseIpv4(s);
    }

    private static byte @Nullable [] parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                return null;
            }
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte @Nullable [] parseIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String[] head = gap < 0 ? s.split(":", -1) : splitNonEmpty(s.substring(0, gap));
        String[] tail = gap < 0 ? new String[0] : splitNonEmpty(s.substring(gap + 2));
        if (gap < 0 && head.length != 8 || head.length + tail.length > (gap < 0 ? 8 : 7)) {
            return null;
        }
        byte[] out = new byte[16];
        if (!fill(out, head, 0)) {
            return null;
        }
        return fill(out, tail, 8 - tail.length) ? out : null;
    }

    private static String[] splitNonEmpty(String s) {
        return s.isEmpty() ? new String[0] : s.split(":", -1);
    }

    private static boolean fill(byte[] out, String[] groups, int firstGroup) {
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty() || g.length() > 4) {
                return false;
            }
            int v;
            try {
                v = Integer.parseInt(g, 16);
            } catch (NumberFormatException e) {
                return false;
            }
            out[(firstGroup + i) * 2] = (byte) (v >> 8);
            out[(firstGroup + i) * 2 + 1] = (byte) v;
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && bits == c.bits && Arrays.equals(address, c.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + bits;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (address.length == 4) {
            for (int i = 0; i < 4; i++) {
                sb.append(i == 0 ? "" : ".").append(address[i] & 0xFF);
            }
        } else {
            for (int i = 0; i < 16; i += 2) {
                sb.append(i == 0 ? "" : ":").append(Integer.toHexString(((address[i] & 0xFF) << 8) | (address[i + 1] & 0xFF)));
            }
        }
        return sb.append('/').append(bits).toString();
    }
}
