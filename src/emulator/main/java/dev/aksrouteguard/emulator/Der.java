package dev.aksrouteguard.emulator;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * The few DER (ASN.1 Distinguished Encoding Rules) encodings an X.509 v3 certificate needs. Each method
 * returns one complete tag-length-value; constructed types take already encoded children.
 */
final class Der {
    private static final DateTimeFormatter UTC_TIME =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private Der() {
    }

    static byte[] sequence(byte[]... children) {
        return tlv(0x30, concat(children));
    }

    static byte[] set(byte[]... children) {
        return tlv(0x31, concat(children));
    }

    static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    static byte[] bool(boolean value) {
        return tlv(0x01, new byte[] {(byte) (value ? 0xff : 0x00)});
    }

    static byte[] octetString(byte[] value) {
        return tlv(0x04, value);
    }

    /** A BIT STRING whose content is whole bytes (no unused bits). */
    static byte[] bitString(byte[] value) {
        return bitString(value, 0);
    }

    static byte[] bitString(byte[] value, int unusedBits) {
        if (unusedBits < 0 || unusedBits > 7) {
            throw new IllegalArgumentException("unusedBits must be 0..7: " + unusedBits);
        }
        byte[] content = new byte[value.length + 1];
        content[0] = (byte) unusedBits;
        System.arraycopy(value, 0, content, 1, value.length);
        return tlv(0x03, content);
    }

    static byte[] utf8String(String value) {
        return tlv(0x0c, value.getBytes(StandardCharsets.UTF_8));
    }

    /** UTCTime (two-digit year), valid for instants from 1950 to 2049 as RFC 5280 requires. */
    static byte[] utcTime(Instant instant) {
        Objects.requireNonNull(instant, "instant == null");
        return tlv(0x17, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] objectIdentifier(String dotted) {
        String[] arcs = dotted.split("\\.");
        if (arcs.length < 2) {
            throw new IllegalArgumentException("an OID has at least two arcs: " + dotted);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeBase128(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            writeBase128(out, Long.parseLong(arcs[i]));
        }
        return tlv(0x06, out.toByteArray());
    }

    /** [n] EXPLICIT: a context-specific constructed tag around one encoded child. */
    static byte[] explicit(int tagNumber, byte[] child) {
        return tlv(0xa0 | checkTagNumber(tagNumber), child);
    }

    /** [n] IMPLICIT for a primitive type: the raw value bytes under a context-specific tag. */
    static byte[] implicitPrimitive(int tagNumber, byte[] value) {
        return tlv(0x80 | checkTagNumber(tagNumber), value);
    }

    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            byte[] lengthBytes = BigInteger.valueOf(length).toByteArray();
            int offset = lengthBytes[0] == 0 ? 1 : 0;
            out.write(0x80 | (lengthBytes.length - offset));
            out.write(lengthBytes, offset, lengthBytes.length - offset);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static int checkTagNumber(int tagNumber) {
        if (tagNumber < 0 || tagNumber > 30) {
            throw new IllegalArgumentException("low tag numbers only: " + tagNumber);
        }
        return tagNumber;
    }

    private static void writeBase128(ByteArrayOutputStream out, long value) {
        int groups = 1;
        for (long rest = value >>> 7; rest != 0; rest >>>= 7) {
            groups++;
        }
        for (int i = groups - 1; i >= 0; i--) {
            int group = (int) ((value >>> (7 * i)) & 0x7f);
            out.write(i == 0 ? group : group | 0x80);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
