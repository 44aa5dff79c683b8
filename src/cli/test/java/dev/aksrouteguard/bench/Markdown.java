package dev.aksrouteguard.bench;

import java.util.List;

/** A Markdown document built up section by section. */
final class Markdown {

    private final StringBuilder text = new StringBuilder();

    Markdown heading(int level, String title) {
        text.append("#".repeat(level)).append(' ').append(title).append("\n\n");
        return this;
    }

    Markdown para(String paragraph) {
        text.append(paragraph).append("\n\n");
        return this;
    }

    Markdown table(List<String> header, List<List<String>> rows) {
        row(header);
        text.append('|');
        header.forEach(h -> text.append(" --- |"));
        text.append('\n');
        rows.forEach(this::row);
        text.append('\n');
        return this;
    }

    /** Text that is already Markdown (a child process's section). */
    Markdown raw(String markdown) {
        text.append(markdown.strip()).append("\n\n");
        return this;
    }

    private void row(List<String> cells) {
        text.append('|');
        cells.forEach(c -> text.append(' ').append(c.replace("|", "\\|")).append(" |"));
        text.append('\n');
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
