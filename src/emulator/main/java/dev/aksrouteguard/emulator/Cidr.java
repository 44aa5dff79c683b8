package dev.aksrouteguard.emulator;

/** An IPv4 prefix, for laying out fixture subnets, node IPs and pod ranges. */
record Cidr(long base, int prefixLength) {
    Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
        }
        long mask = prefixLength == 0 ? 0 : (0xffffffffL << (32 - prefixLength)) & 0xffffffffL;
        if ((base & ~mask & 0xffffffffL) != 0) {
            throw new IllegalArgumentException("host bits set in " + format(base) + "/" + prefixLength);
        }
    }

    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR: " + text);
        }
        String[] octets = text.substring(0, slash).split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + text);
        }
        long base = 0;
        for (String octet : octets) {
            int value = Integer.parseInt(octet);
            if (value < 0 || value > 255) {
                throw new IllegalArgumentException("not an IPv4 CIDR: " + text);
            }
            base = (base << 8) | value;
        }
        return new Cidr(base, Integer.parseInt(text.substring(slash + 1)));
    }

    long size() {
        return 1L << (32 - prefixLength);
    }

    /** The {@code index}-th block of the given (longer) prefix length inside this one. */
    Cidr block(int length, int index) {
        if (length < prefixLength) {
            throw new IllegalArgumentException("/" + length + " does not fit in " + this);
        }
        long blockSize = 1L << (32 - length);
        if (index < 0 || (index + 1) * blockSize > size()) {
            throw new IllegalArgumentException("block " + index + " of /" + length + " is outside " + this);
        }
        return new Cidr(base + index * blockSize, length);
    }

    /** The address at this offset from the base, e.g. 4 for the first usable address of an Azure subnet. */
    String address(long offset) {
        if (offset < 0 || offset >= size()) {
            throw new IllegalArgumentException("offset " + offset + " is outside " + this);
        }
        return format(base + offset);
    }

    @Override
    public String toString() {
        return format(base) + "/" + prefixLength;
    }

    private static String format(long address) {
        return ((address >> 24) & 0xff) + "." + ((address >> 16) & 0xff) + "." + ((address >> 8) & 0xff) + "."
                + (address & 0xff);
    }
}
