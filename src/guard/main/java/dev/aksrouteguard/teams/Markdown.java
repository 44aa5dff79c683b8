package dev.aksrouteguard.teams;

/** Escapes text for the fields Teams renders as Markdown, so names and commands show as written. */
final class Markdown {

    private static final String SPECIAL = "\\`*_[]~<>";

    private Markdown() {}

    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (SPECIAL.indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
