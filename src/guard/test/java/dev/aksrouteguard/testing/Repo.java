package dev.aksrouteguard.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository, found from whichever module's directory the tests run in. */
public final class Repo {

    private Repo() {}

    /** The repository root: the nearest directory upwards holding {@code pom.xml} and {@code infra/}. */
    public static Path root() {
        Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("infra"))) {
                return d;
            }
        }
        throw new IllegalStateException("no pom.xml with an infra/ directory above " + dir);
    }

    /** A path relative to the repository root. */
    public static Path file(String relative) {
        return root().resolve(relative);
    }
}
