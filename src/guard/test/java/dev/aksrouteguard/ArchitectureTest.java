package dev.aksrouteguard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.aksrouteguard.testing.ClassFiles;
import dev.aksrouteguard.testing.ProductionClasses;
import org.junit.jupiter.api.Test;

/** The dependency rule, as a test: the core knows nothing of Azure, Functions or Teams; adapters do not know each other. */
@AnalyzeClasses(packages = "dev.aksrouteguard", importOptions = ProductionClasses.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreIsPlainJava = noClasses().that().resideInAPackage("..core..")
            .should().dependOnClassesThat().resideOutsideOfPackages("dev.aksrouteguard.core..", "java..")
            .because("the core is plain Java behind ports");

    @ArchTest
    static final ArchRule theModelDependsOnNothing = noClasses().that().resideInAPackage("dev.aksrouteguard.core.model..")
            .should().dependOnClassesThat().resideOutsideOfPackages("dev.aksrouteguard.core.model..", "java..")
            .because("the core's records are the bottom layer");

    @ArchTest
    static final ArchRule portsKnowOnlyTheModel = noClasses().that().resideInAPackage("dev.aksrouteguard.core.port..")
            .should().dependOnClassesThat().resideOutsideOfPackages("dev.aksrouteguard.core.port..",
                    "dev.aksrouteguard.core.model..", "java..")
            .because("a port speaks the core's language, never an adapter's");

    @ArchTest
    static final ArchRule preventionIsPureTextOverTheModel = noClasses().that().resideInAPackage("dev.aksrouteguard.prevention..")
            .should().dependOnClassesThat().resideOutsideOfPackages("dev.aksrouteguard.prevention..",
                    "dev.aksrouteguard.core.model..", "java..")
            .because("the command line and the Teams card print the same fixes, written from the core's records alone");

    @ArchTest
    static final ArchRule adaptersUseTheEngineOnlyThroughItsPorts = noClasses()
            .that().resideInAnyPackage("dev.aksrouteguard.azure..", "dev.aksrouteguard.teams..", "dev.aksrouteguard.queue..",
                    "dev.aksrouteguard.history..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.aksrouteguard.core")
            .because("adapters implement ports over model records; the engine (Guard, Reconciler, directory) is "
                    + "assembled in wiring");

    @ArchTest
    static final ArchRule storageHelpersKnowOnlyTheModelAndTheStorageSdk = noClasses()
            .that().resideInAPackage("dev.aksrouteguard.storage..")
            .should().dependOnClassesThat().resideOutsideOfPackages("dev.aksrouteguard.storage..",
                    "dev.aksrouteguard.core.model..", "com.azure..", "java..")
            .because("what the queue and table adapters share sits below them and knows none of them");

    @ArchTest
    static final ArchRule configKnowsOnlyTheCore = noClasses().that().resideInAPackage("..config..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.aksrouteguard.azure..", "dev.aksrouteguard.events..",
                    "dev.aksrouteguard.teams..", "dev.aksrouteguard.wiring..", "dev.aksrouteguard.function..",
                    "dev.aksrouteguard.cli..", "dev.aksrouteguard.emulator..", "com.azure..", "com.microsoft..");

    @ArchTest
    static final ArchRule adaptersDoNotKnowEachOther = slices().matching("dev.aksrouteguard.(azure|events|teams|queue|history)..")
            .should().notDependOnEachOther();

    @ArchTest
    static final ArchRule adaptersDoNotKnowTheFrontEnds = noClasses()
            .that().resideInAnyPackage("dev.aksrouteguard.azure..", "dev.aksrouteguard.events..", "dev.aksrouteguard.teams..",
                    "dev.aksrouteguard.queue..", "dev.aksrouteguard.history..", "dev.aksrouteguard.prevention..",
                    "dev.aksrouteguard.wiring..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.aksrouteguard.function..", "dev.aksrouteguard.cli..");

    @ArchTest
    static final ArchRule onlyTheFunctionsKnowTheFunctionsLibrary = noClasses().that().resideOutsideOfPackage("dev.aksrouteguard.function..")
            .should().dependOnClassesThat().resideInAPackage("com.microsoft.azure.functions..");

    @ArchTest
    static final ArchRule theEmulatorStandsAlone = noClasses().that().resideInAPackage("..emulator..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.aksrouteguard.core..", "dev.aksrouteguard.azure..",
                    "dev.aksrouteguard.events..", "dev.aksrouteguard.teams..", "dev.aksrouteguard.wiring..",
                    "dev.aksrouteguard.function..", "dev.aksrouteguard.cli..", "dev.aksrouteguard.config..")
            .because("the emulator plays ARM; it must not share code with the client it tests (it may hand out SDK "
                    + "conveniences such as an AzureProfile, but never our own adapters)");

    @ArchTest
    static final ArchRule productionCodeNeverUsesTheEmulator = noClasses()
            .that().resideInAnyPackage("dev.aksrouteguard.core..", "dev.aksrouteguard.azure..", "dev.aksrouteguard.events..",
                    "dev.aksrouteguard.teams..", "dev.aksrouteguard.wiring..", "dev.aksrouteguard.function..", "dev.aksrouteguard.config..",
                    "dev.aksrouteguard.history..", "dev.aksrouteguard.prevention..", "dev.aksrouteguard.queue..",
                    "dev.aksrouteguard.storage..")
            .should().dependOnClassesThat().resideInAPackage("dev.aksrouteguard.emulator..");

    @ArchTest
    static final ArchRule noCycles = slices().matching("dev.aksrouteguard.(*)..").should().beFreeOfCycles();

    /**
     * The build compiles {@code +} on strings to StringBuilder calls ({@code -XDstringConcat=inline} in the parent
     * POM): on JDK 17 each new shape of an invokedynamic concatenation spins method-handle classes at its first use,
     * which no class-data archive holds (docs/performance.md, "Cold start").
     */
    @Test
    void noProductionClassLinksStringConcatenationAtRunTime() {
        assertEquals(java.util.List.of(), ClassFiles.referencing(dev.aksrouteguard.core.model.SubnetId.class,
                "java/lang/invoke/StringConcatFactory"));
    }
}
