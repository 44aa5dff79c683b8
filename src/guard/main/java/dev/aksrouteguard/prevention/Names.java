package dev.aksrouteguard.prevention;

import dev.aksrouteguard.core.model.ResourceId;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Identifiers and literals of the generated code: valid in HCL and Bicep, unique within one text. */
final class Names {

    private final Set<String> used = new HashSet<>();

    /** A Terraform name ({@code [a-z_][a-z0-9_]*}) from a resource name, unique among this text's names. */
    String terraformName(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("_+", "_").replaceAll("^_|_$", "");
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
            s = "n_" + s;
        }
        return unique(s, "_");
    }

    /** A Bicep symbol (camelCase) from resource names, unique among this text's symbols. */
    String bicepSymbol(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String part : parts) {
            for (String word : part.split("[^A-Za-z0-9]+")) {
                if (word.isEmpty()) {
                    continue;
                }
                String w = word.toLowerCase(Locale.ROOT);
                sb.append(sb.length() == 0 ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1));
            }
        }
        String s = sb.length() == 0 || !Character.isLetter(sb.charAt(0)) ? "r" + sb : sb.toString();
        return unique(s, "");
    }

    private String unique(String base, String separator) {
        String candidate = base;
        for (int i = 2; !used.add(candidate); i++) {
            candidate = base + separator + i;
        }
        return candidate;
    }

    /** A double-quoted HCL string: quotes, backslashes and template sequences escaped. */
    static String hclString(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("${", "$${").replace("%{", "%%{") + '"';
    }

    /** Text for a comment line: a control or line-separator character (which would end the comment) becomes '?'. */
    static String commentText(String value) {
        return value.replaceAll("[\\p{Cntrl}\\u0085\\u2028\\u2029]", "?");
    }

    /** Prefixes for a comment line. */
    static String prefixes(List<String> prefixes) {
        return commentText(String.join(", ", prefixes));
    }

    /** The subject's IPAM pools for a comment line: each by name (its ID when that is not a resource ID). */
    static String pools(Subject s) {
        return commentText(s.ipamPools().stream().map(p -> ResourceId.isValid(p) ? ResourceId.parse(p).name() : p)
                .collect(Collectors.joining(", ")));
    }

    /** A single-quoted Bicep string: quotes, backslashes and interpolations escaped. */
    static String bicepString(String value) {
        return '\'' + value.replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${") + '\'';
    }
}
