package dev.aksrouteguard.function;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Everything a Functions deployment folder holds: every file, every jar, every class in every jar (jars inside jars
 * too), and what each class refers to. Built to be hard to fool: a class is flagged by its name, by what its
 * constant pool names (so a renamed copy that still calls the emulator or picocli is caught), and by what it is (a
 * class that runs an HTTP server is the emulator's kind of code, whatever its package).
 */
final class DeploymentContents {

    /** Packages, as they appear in class files, that must never be deployed. */
    static final List<String> FORBIDDEN_PACKAGES = List.of("dev/aksrouteguard/emulator/", "dev/aksrouteguard/cli/",
            "dev/aksrouteguard/bench/", "dev/aksrouteguard/testing/", "picocli/", "org/junit/", "org/mockito/",
            "com/tngtech/archunit/");

    /**
     * A class of ours (by package, or in our jar) that refers to one of these serves HTTP or issues certificates: the
     * emulator's trade, not the guard's. (Third-party jars may: MSAL's interactive sign-in listens for its redirect.)
     */
    static final List<String> FORBIDDEN_REFERENCES = List.of("com/sun/net/httpserver/", "sun/security/x509/");

    /** Jar names that must never be deployed. */
    static final List<String> FORBIDDEN_JARS = List.of("picocli", "aks-route-guard-emulator", "aks-route-guard-cli",
            "junit", "mockito", "archunit");

    record Entry(String where, String name, long size) {}

    final List<Entry> files = new ArrayList<>();
    final List<Entry> jars = new ArrayList<>();
    final List<Entry> classes = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    long bytes;

    static DeploymentContents of(Path folder) {
        DeploymentContents c = new DeploymentContents();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                String rel = folder.relativize(p).toString().replace('\\', '/');
                long size = Files.size(p);
                c.bytes += size;
                c.files.add(new Entry("", rel, size));
                if (rel.endsWith(".jar")) {
                    try (InputStream in = Files.newInputStream(p)) {
                        c.jar(rel, in, size);
                    }
                } else if (rel.endsWith(".class")) {
                    c.klass(rel, rel, Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }

    private void jar(String name, InputStream in, long size) throws IOException {
        jars.add(new Entry("", name, size));
        String lower = name.substring(name.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        FORBIDDEN_JARS.stream().filter(lower::startsWith).forEach(f -> problems.add("jar " + name + " (" + f + ")"));
        ZipInputStream zip = new ZipInputStream(in);
        for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
            if (e.isDirectory()) {
                continue;
            }
            byte[] bytes = zip.readAllBytes();
            if (e.getName().endsWith(".jar")) {
                jar(name + "!/" + e.getName(), new ByteArrayInputStream(bytes), bytes.length);
            } else if (e.getName().endsWith(".class")) {
                klass(name, e.getName(), bytes);
            }
        }
    }

    private void klass(String where, String name, byte[] bytes) {
        classes.add(new Entry(where, name, bytes.length));
        for (String pkg : FORBIDDEN_PACKAGES) {
            if (name.startsWith(pkg) || name.startsWith("META-INF/versions/") && name.contains("/" + pkg)) {
                problems.add("class " + name + " in " + where + " (package " + pkg + ")");
            }
        }
        // Class names in the constant pool are stored as modified UTF-8, which is ASCII for these names.
        String pool = new String(bytes, StandardCharsets.ISO_8859_1);
        boolean ours = name.startsWith("dev/aksrouteguard/") || where.substring(where.lastIndexOf('/') + 1).startsWith("aks-route-guard");
        for (String ref : ours ? concat(FORBIDDEN_PACKAGES, FORBIDDEN_REFERENCES) : FORBIDDEN_PACKAGES) {
            if (!name.startsWith(ref) && pool.contains(ref)) {
                problems.add("class " + name + " in " + where + " refers to " + ref);
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** One line per class, with the jar (or nested jar) it is in: the whole folder, class by class. */
    String classListing() {
        StringBuilder sb = new StringBuilder();
        for (var c : classes) {
            sb.append(c.where()).append(": ").append(c.name()).append('\n');
        }
        return sb.toString();
    }

    /** One line per file, jars with their class counts: for the report and the docs. */
    String listing() {
        StringBuilder sb = new StringBuilder();
        for (Entry f : files) {
            long n = classes.stream().filter(c -> c.where().equals(f.name()) || c.where().startsWith(f.name() + "!/")).count();
            sb.append(String.format(Locale.ROOT, "%,12d  %s%s%n", f.size(), f.name(), n == 0 ? "" : "  (" + n + " classes)"));
        }
        sb.append(String.format(Locale.ROOT, "%,12d  total: %d files, %d jars, %d classes%n", bytes, files.size(), jars.size(),
                classes.size()));
        return sb.toString();
    }
}
