package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.testing.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged Functions folder ({@code mvn package}) carries the guard and its runtime dependencies only: no
 * emulator, CLI, demo, picocli or test class, by name or by reference. Lists every file with its size and class count
 * into {@code target/guard/functions-folder.txt} (with the folder's size), and every class with its jar into
 * {@code target/guard/functions-folder-classes.txt}.
 */
class FunctionsFolderIT {

    static final Path APP = Repo.file("target/guard/azure-functions/aks-route-guard");

    /** Today's folder is about 19.5 MB; a dependency that doubles it should be a decision, not an accident. */
    static final long MAX_BYTES = 25_000_000;

    @Test
    void theFunctionsFolderHoldsOnlyWhatRunsInAzure() throws IOException {
        assertTrue(Files.isDirectory(APP), "missing " + APP + " (run mvn package)");
        DeploymentContents contents = DeploymentContents.of(APP);
        String listing = contents.listing();
        Files.writeString(Repo.file("target/guard/functions-folder.txt"), listing);
        Files.writeString(Repo.file("target/guard/functions-folder-classes.txt"), contents.classListing());
        System.out.println("Functions folder " + APP + ":\n" + listing);

        assertEquals(List.of(), contents.problems, "the Functions folder carries code that must not run in Azure");
        assertTrue(contents.classes.stream().anyMatch(c -> c.name().equals("dev/aksrouteguard/core/Reconciler.class")),
                "the guard's own classes are missing: the scan read nothing");
        assertTrue(contents.classes.size() > 1_000, "too few classes read (" + contents.classes.size() + "): jars not opened?");
        assertTrue(contents.bytes < MAX_BYTES, "the Functions folder is " + contents.bytes + " bytes");
    }
}
