package dev.aksrouteguard.config;

import java.util.Locale;

/** {@code TEAMS_CARD_FORMAT}: what the Teams webhook accepts. */
public enum CardFormat {
    /** A Teams Workflows webhook: a {@code message} with one Adaptive Card attachment. */
    ADAPTIVE("adaptive"),
    /** A legacy Office 365 connector ({@code *.webhook.office.com}): a MessageCard. */
    MESSAGECARD("messagecard");

    private final String word;

    CardFormat(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    static CardFormat parse(String value) {
        for (CardFormat f : values()) {
            if (f.word.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("expected adaptive or messagecard, got '" + value + "'");
    }
}
