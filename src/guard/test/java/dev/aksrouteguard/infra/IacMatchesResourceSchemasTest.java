package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.infra.ArmBodyCheck.Report;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IaC against the real resource schemas, not only against our own code: every resource body of every
 * {@code .bicep} file against the Bicep types of its type and API version, and every argument and nested block of
 * {@code infra/terraform} (module and examples) against the azurerm provider's Argument Reference of the oldest and
 * newest versions the module admits, and the newest 4.x (TerraformCheck.AZURERM_VERSIONS), with the ARM
 * bodies of its {@code azapi_*} resources against the Bicep types. What could not be checked (expressions known only at
 * deployment) is printed, so that it is visible in the build log.
 */
class IacMatchesResourceSchemasTest {

    private static final Path ROOT = InfraModel.repoRoot();

    @Test
    void everyBicepResourceBodyMatchesItsTypeAtItsApiVersion() {
        Report r = BicepCheck.checkDirectory(ROOT, ROOT.resolve("infra"));
        printSkipped("Bicep", r);
        assertTrue(r.ok(), "Bicep resources that the Bicep compiler or ARM would reject:" + r.describe());
        assertFalse(r.skipped().isEmpty(), "expressions exist in infra/; a check that skips nothing skipped the walk");
    }

    @ParameterizedTest
    @ValueSource(strings = {"infra/terraform", "infra/terraform/examples/with-aks"})
    void everyTerraformArgumentAndBlockExistsInEveryProviderVersionTheModuleAdmits(String dir) {
        Report r = TerraformCheck.checkDirectory(ROOT, ROOT.resolve(dir));
        printSkipped(dir, r);
        assertTrue(r.ok(), dir + ": arguments, blocks or values a provider version would reject:" + r.describe());
    }

    static void printSkipped(String what, Report r) {
        System.out.println(what + " schema check: " + r.skipped().size() + " values known only at deployment, not checked:");
        r.skipped().forEach(s -> System.out.println("  " + s));
    }
}
