package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Terraform reader: hcl2json through Node, and the little evaluation the tests need. */
class TerraformJsonTest {

    @Test
    void localsAndVariableDefaultsAreFollowed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("main.tf"), """
                variable "mode" {
                  type    = string
                  default = "report"
                }
                locals {
                  name = "fn"
                  list = ["a", local.name]
                  templ = "function:${local.name}:${var.mode}"
                  computed = azurerm_thing.x.id
                }
                """);
        TerraformJson tf = TerraformJson.read(InfraModel.repoRoot(), dir);
        assertEquals(Optional.of("report"), tf.literal(new JsonPrimitive("${var.mode}")));
        assertEquals(Optional.of("function:fn:report"), tf.literal(tf.local("templ").orElseThrow()));
        assertEquals(List.of("a", "fn"), tf.stringList(tf.local("list").orElseThrow(), "list"));
        assertEquals(Optional.empty(), tf.literal(tf.local("computed").orElseThrow()));
    }

    @Test
    void brokenTerraformFailsWithTheParsersMessage(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("main.tf"), "resource \"x\" \"y\" {\n  a = \n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TerraformJson.read(InfraModel.repoRoot(), dir));
        assertTrue(e.getMessage().contains("failed"), e.getMessage());
    }

    @Test
    void aMissingParserSaysHowToInstallIt(@TempDir Path fakeRoot) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TerraformJson.read(fakeRoot, fakeRoot));
        assertTrue(e.getMessage().contains("npm install --prefix .ci"), e.getMessage());
    }
}
