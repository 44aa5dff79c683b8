package dev.aksrouteguard.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArmExceptionTest {

    @Test
    void terminalHasNoStatusNoCodeNoRetryAndItsMessageIsMasked() {
        IllegalStateException cause = new IllegalStateException("boom");
        ArmException e = ArmException.terminal("listing https://acct.queue.core.windows.net/q?sv=2022&sig=abcDEF123%3D failed", cause);

        assertEquals(ArmException.Kind.TERMINAL, e.kind());
        assertEquals(0, e.status());
        assertNull(e.code());
        assertNull(e.retryAfter());
        assertNull(e.missingAction());
        assertSame(cause, e.getCause());
        assertTrue(e.getMessage().contains("sig=***"), e.getMessage());
        assertFalse(e.getMessage().contains("abcDEF123"), e.getMessage());
        assertNull(ArmException.terminal("no cause", null).getCause());
    }
}
