package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DerTest {
    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void encodesObjectIdentifiersInBase128() {
        assertEquals("06082a8648ce3d040302", hex(Der.objectIdentifier("1.2.840.10045.4.3.2")));
        assertEquals("0603551d11", hex(Der.objectIdentifier("2.5.29.17")));
    }

    @Test
    void usesTheLongLengthFormAbove127Bytes() {
        assertEquals("0481800000", hex(Der.octetString(new byte[128])).substring(0, 10));
        assertEquals("04820100", hex(Der.octetString(new byte[256])).substring(0, 8));
    }

    @Test
    void keepsIntegersPositiveWithALeadingZero() {
        assertEquals("02020080", hex(Der.integer(BigInteger.valueOf(128))));
    }

    @Test
    void writesUtcTimeWithTwoDigitYears() {
        assertEquals("170d3236313132363031303230335a", hex(Der.utcTime(Instant.parse("2026-11-26T01:02:03Z"))));
    }

    @Test
    void tagsExplicitAndImplicitContextFields() {
        assertArrayEquals(new byte[] {(byte) 0xa0, 3, 2, 1, 2}, Der.explicit(0, Der.integer(BigInteger.TWO)));
        assertArrayEquals(new byte[] {(byte) 0x87, 4, 127, 0, 0, 1}, Der.implicitPrimitive(7, new byte[] {127, 0, 0, 1}));
    }

    @Test
    void countsUnusedBitsOfBitStrings() {
        assertEquals("03020780", hex(Der.bitString(new byte[] {(byte) 0x80}, 7)));
    }
}
