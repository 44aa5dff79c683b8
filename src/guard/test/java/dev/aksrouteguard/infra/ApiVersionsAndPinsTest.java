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
    void terraformPinsItsProvidersAndTheExampleUsesTheSamePins() {
        JsonObject moduleProviders = terraformBlock(ROOT.resolve("infra/terraform"));
        JsonObject exampleProviders = terraformBlock(ROOT.resolve("infra/terraform/examples/with-aks"));
        for (String provider : List.of("azurerm", "azapi")) {
            String version = moduleProviders.getAsJsonObject(provider).get("version").getAsString();
            assertTrue(version.startsWith("~>"), provider + " must be pinned with ~>, was " + version);
            assertEquals(version, exampleProviders.getAsJsonObject(provider).get("version").getAsString(),
                    "the example must pin " + provider + " as the module does");
        }
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
