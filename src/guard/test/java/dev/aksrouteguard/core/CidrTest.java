package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
        "10.244.0.0/16, 10.244.3.0/24, true",
        "10.244.0.0/16, 10.245.0.0/24, false",
        "10.244.0.0/16, 10.244.0.0/16, true",
        "10.244.0.0/24, 10.244.0.0/16, false",
        "10.0.0.0/22, 10.0.3.255, true",
        "10.0.0.0/22, 10.0.4.0, false",
        "0.0.0.0/0, 192.168.1.1, true",
        "10.0.0.0/9, 10.127.255.255, true",
        "10.0.0.0/9, 10.128.0.0, false",
        "fd12:3456::/64, fd12:3456::/80, true",
        "fd12:3456::/64, fd12:3457::/80, false",
        "fd00:db8::/64, fd00:db8::4, true",
        "fd00:db8::/64, 10.0.0.4, false",
        "10.0.0.0/8, fd00::1, false",
    })
    void containment(String outer, String inner, boolean expected) {
        assertEquals(expected, Cidr.parse(outer).contains(Cidr.parse(inner)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0/24", "10.0.0.256/24", "10.0.0.0/33", "10.0.0.0/x", "fd::1::2", "1:2:3:4:5:6:7:8:9", "a.b.c.d", "::g"})
    void rejectsWhatIsNotAPrefix(String text) {
        assertNull(Cidr.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/22", "fd12:3456:0:0:0:0:0:0/64", "::1/128"})
    void readsWhatItPrints(String text) {
        Cidr c = Cidr.parse(text);
        assertEquals(c, Cidr.parse(c.toString()));
        assertTrue(c.contains(c));
        assertFalse(c.contains(Cidr.parse(c.address().length == 4 ? "0.0.0.0/0" : "::/0")) && c.bits() > 0);
    }

    @ParameterizedTest(name = "{0} spans {1} .. {2}")
    @CsvSource({
        "10.0.4.0/22, 167773184, 167774207",
        "10.0.4.9/32, 167773193, 167773193",
        "0.0.0.0/0, 0, 4294967295",
        "fd00::/127, 336294682933583715844663186250927177728, 336294682933583715844663186250927177729",
    })
    void spansTheAddressesOfItsPrefix(String cidr, String first, String last) {
        Cidr c = Cidr.parse(cidr);
        assertEquals(new java.math.BigInteger(first), c.first());
        assertEquals(new java.math.BigInteger(last), c.last());
    }
}
