package dev.aksrouteguard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The compiled classes of a module, read as bytes: for what the class files say, not what the sources say. */
public final class ClassFiles {

    private ClassFiles() {}

    /**
     * The {@code .class} files under the class-path root that {@code anyClass} was loaded from, whose constant pool
     * names {@code internalName} (e.g. {@code java/lang/invoke/StringConcatFactory}), as paths relative to that root.
     */
    public static List<String> referencing(Class<?> anyClass, String internalName) {
        Path root;
        try {
            root = Path.of(anyClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException(anyClass + " was not loaded from a class directory: " + root);
        }
        // Class-file names are modified UTF-8 in the constant pool; for ASCII names that is their plain bytes.
        byte[] needle = internalName.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".class")).filter(f -> contains(read(f), needle))
                    .map(f -> root.relativize(f).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
