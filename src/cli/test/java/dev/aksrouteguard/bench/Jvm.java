package dev.aksrouteguard.bench;

import java.nio.file.Path;

/** How to start another JVM like this one. */
final class Jvm {

    private Jvm() {}

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String classPath() {
        return System.getProperty("java.class.path");
    }
}
