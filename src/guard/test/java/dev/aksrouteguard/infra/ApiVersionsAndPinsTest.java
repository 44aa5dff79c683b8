package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.infra.BicepText.Declaration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Bicep resource names its API version in a comment with the template reference page it comes from, and the
 * Terraform pins its providers.
 */
class ApiVersionsAndPinsTest {

    private static final Path ROOT = InfraModel.repoRoot();

    @Test
    void everyBicepResourceCitesItsTemplateReferencePage() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(ROOT.resolve("infra"))) {
            files = walk.filter(p -> p.toString().endsWith(".bicep")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path file : files) {
            String source = Files.readString(file);
            String[] lines = source.split("\n", -1);
            for (Declaration d : BicepText.parse(file.toString(), source).declarations()) {
                if (!d.kind().equals("resource")) {
                    continue;
                }
                String comment = commentAbove(lines, d.line() - 1);
                String[] typeAndVersion = d.type().split("@");
                String provider = typeAndVersion[0].split("/")[0].toLowerCase(Locale.ROOT);
                String page = "https://learn.microsoft.com/azure/templates/" + provider + "/" + typeAndVersion[1] + "/";
                String where = ROOT.relativize(file) + ":" + d.line() + " " + d.type();
                if (!comment.contains(d.type())) {
                    problems.add(where + ": the comment above must name " + d.type());
                } else if (!comment.contains(page)
                        && !(comment.contains("same page as above") && source.substring(0, offsetOfLine(lines, d.line() - 1)).contains(page))) {
                    problems.add(where + ": the comment above must cite " + page + "...");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void terraformAdmitsExactlyTheProviderVersionsTheSchemaCheckReads() {
        JsonObject moduleProviders = terraformBlock(ROOT.resolve("infra/terraform"));
        JsonObject exampleProviders = terraformBlock(ROOT.resolve("infra/terraform/examples/with-aks"));
        Map<String, List<String>> checked = Map.of("azurerm", TerraformCheck.AZURERM_VERSIONS,
                "azapi", TerraformCheck.AZAPI_VERSIONS);
        checked.forEach((provider, versions) -> {
            String constraint = moduleProviders.getAsJsonObject(provider).get("version").getAsString();
            assertEquals(constraint, exampleProviders.getAsJsonObject(provider).get("version").getAsString(),
                    "the example must constrain " + provider + " as the module does");
            versions.forEach(v -> assertTrue(admits(constraint, v), provider + " " + constraint + " must admit " + v
                    + ", whose pages the schema check reads"));
            // The oldest admitted version is the oldest one checked: nothing older slips in unchecked.
            String oldest = versions.get(0).substring(1);
            assertTrue(admits(constraint, "v" + oldest), constraint);
            assertFalse(admits(constraint, "v" + previous(oldest)), provider + " " + constraint
                    + " admits versions older than " + oldest + " that the schema check does not read");
            assertFalse(admits(constraint, "v" + (major(versions.get(versions.size() - 1)) + 1) + ".0.0"),
                    provider + " " + constraint + " must not admit the next major version, whose pages nobody read");
        });
        assertEquals(">= 4.58, < 6.0", moduleProviders.getAsJsonObject("azurerm").get("version").getAsString(),
                "azurerm: 4.58 and later, 5.x included (issue 8)");
    }

    /** Terraform's version constraint syntax, for the operators the module uses ({@code >=}, {@code <}, {@code ~>}). */
    static boolean admits(String constraint, String version) {
        int[] v = parse(version.replaceFirst("^v", ""));
        for (String term : constraint.split(",")) {
            String t = term.trim();
            if (t.startsWith(">=")) {
                if (compare(v, parse(t.substring(2).trim())) < 0) {
                    return false;
                }
            } else if (t.startsWith("<")) {
                if (compare(v, parse(t.substring(1).trim())) >= 0) {
                    return false;
                }
            } else if (t.startsWith("~>")) {
                String base = t.substring(2).trim();
                int[] b = parse(base);
                int parts = base.split("\\.").length;
                if (compare(v, b) < 0) {
                    return false;
                }
                int[] upper = parts == 3 ? new int[] {b[0], b[1] + 1, 0} : new int[] {b[0] + 1, 0, 0};
                if (compare(v, upper) >= 0) {
                    return false;
                }
            } else {
                throw new IllegalArgumentException("unsupported constraint term: " + t);
            }
        }
        return true;
    }

    private static int[] parse(String version) {
        String[] p = version.split("\\.");
        return new int[] {Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 0,
                p.length > 2 ? Integer.parseInt(p[2]) : 0};
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    private static String previous(String version) {
        int[] v = parse(version);
        return v[2] > 0 ? v[0] + "." + v[1] + "." + (v[2] - 1) : v[1] > 0 ? v[0] + "." + (v[1] - 1) + ".999" : (v[0] - 1) + ".999.999";
    }

    private static int major(String version) {
        return parse(version.replaceFirst("^v", ""))[0];
    }

    @Test
    void theConstraintReaderFollowsTerraformsRules() {
        assertTrue(admits(">= 4.58, < 6.0", "v5.2.0"));
        assertFalse(admits(">= 4.58, < 6.0", "v4.57.9"));
        assertFalse(admits(">= 4.58, < 6.0", "v6.0.0"));
        assertTrue(admits("~> 2.0", "v2.12.0"));
        assertFalse(admits("~> 2.0", "v3.0.0"));
        assertFalse(admits("~> 4.30.1", "v4.31.0"));
    }

    @Test
    void theExampleAddsTheModuleNextToItsAksCode() {
        TerraformJson example = TerraformJson.read(ROOT, ROOT.resolve("infra/terraform/examples/with-aks"));
        JsonObject guard = example.block("module", "route_guard").orElseThrow();
        assertEquals("../..", guard.get("source").getAsString());
        assertEquals("${var.deploy_event_subscription}", guard.get("deploy_event_subscription").getAsString());
        assertFalse(example.resources("azurerm_kubernetes_cluster").isEmpty(), "the example shows the team's cluster");
    }

    /** {@code terraform { required_providers { ... } }}, which hcl2json lists as arrays of one block. */
    private static JsonObject terraformBlock(Path dir) {
        JsonObject root = TerraformJson.read(ROOT, dir).root();
        return root.getAsJsonArray("terraform").get(0).getAsJsonObject()
                .getAsJsonArray("required_providers").get(0).getAsJsonObject();
    }

    /** The contiguous comment lines right above a line (0-based), joined. */
    private static String commentAbove(String[] lines, int index) {
        StringBuilder sb = new StringBuilder();
        for (int i = index - 1; i >= 0 && lines[i].trim().startsWith("//"); i--) {
            sb.insert(0, lines[i].trim() + "\n");
        }
        return sb.toString();
    }

    private static int offsetOfLine(String[] lines, int index) {
        int offset = 0;
        for (int i = 0; i < index; i++) {
            offset += lines[i].length() + 1;
        }
        return offset;
    }
}
