package dev.aksrouteguard.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.aksrouteguard.function.EventGridFunction;
import dev.aksrouteguard.testing.ProductionClasses;
import org.junit.jupiter.api.Test;

/**
 * The command line drives the guard through its engine and its event path, never through the Functions adapters: what
 * it runs is what the functions run, without the Functions library (the guard module's {@code ArchitectureTest} holds
 * the same rule for every other package).
 */
@AnalyzeClasses(packages = "dev.aksrouteguard.cli", importOptions = ProductionClasses.class)
class CliArchitectureTest {

    @ArchTest
    static final ArchRule theCliDoesNotUseTheFunctions = noClasses().that().resideInAPackage("dev.aksrouteguard.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.aksrouteguard.function..", "com.microsoft.azure.functions..")
            .because("the CLI runs the same engine and event path as the functions (events/Deliveries, core/Guard), not "
                    + "the functions themselves");

    @Test
    void theDemoNamesTheFunctionThatRunsItsEventPath() {
        assertEquals(EventGridFunction.NAME, Demo.FUNCTION);
    }

    /** As the guard's ArchitectureTest checks for its classes: no invokedynamic string concatenation on a cold start. */
    @Test
    void noCliClassLinksStringConcatenationAtRunTime() {
        assertEquals(java.util.List.of(), dev.aksrouteguard.testing.ClassFiles.referencing(Main.class,
                "java/lang/invoke/StringConcatFactory"));
    }
}
