package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder scan catches what it must, however it is hidden. */
class DeploymentContentsTest {

    @TempDir
    Path folder;

    /** A jar of entries; the "class" bytes only need the constant-pool strings the scan looks for. */
    private static byte[] jar(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] klass(String... references) {
        return ("\u00ca\u00fe\u00ba\u00be" + String.join("\u0001", references)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private DeploymentContents scan(String jarName, Map<String, byte[]> entries) throws IOException {
        Files.createDirectories(folder.resolve("lib"));
        Files.write(folder.resolve("lib").resolve(jarName), jar(entries));
        return DeploymentContents.of(folder);
    }

    @Test
    void aCleanJarPasses() throws IOException {
        DeploymentContents c = scan("aks-route-guard-0.1.0.jar", Map.of("dev/aksrouteguard/core/Reconciler.class",
                klass("java/lang/Object", "dev/aksrouteguard/core/Rules")));
        assertEquals(List.of(), c.problems);
        assertEquals(1, c.classes.size());
    }

    @Test
    void anEmulatorClassIsCaughtByItsPackage() throws IOException {
        DeploymentContents c = scan("aks-route-guard-0.1.0.jar", Map.of("dev/aksrouteguard/emulator/ArmEmulator.class", klass()));
        assertTrue(c.problems.stream().anyMatch(p -> p.contains("emulator/ArmEmulator")), c.problems.toString());
    }

    @Test
    void aRenamedCopyIsCaughtByWhatItRefersTo() throws IOException {
        DeploymentContents c = scan("aks-route-guard-0.1.0.jar", Map.of("com/example/Hidden.class",
                klass("picocli/CommandLine"), "com/example/Server.class", klass("com/sun/net/httpserver/HttpsServer")));
        assertEquals(2, c.problems.size(), c.problems.toString());
    }

    @Test
    void aThirdPartyJarMayServeHttpButNeverCarryOurForbiddenPackages() throws IOException {
        DeploymentContents c = scan("msal4j-1.26.0.jar", Map.of("com/microsoft/aad/msal4j/HttpListener.class",
                klass("com/sun/net/httpserver/HttpServer"), "com/microsoft/aad/msal4j/Sneaky.class",
                klass("dev/aksrouteguard/emulator/Tokens")));
        assertEquals(1, c.problems.size(), c.problems.toString());
        assertTrue(c.problems.get(0).contains("Sneaky"), c.problems.toString());
    }

    @Test
    void aJarInsideAJarIsOpened() throws IOException {
        byte[] inner = jar(Map.of("dev/aksrouteguard/cli/Main.class", klass()));
        DeploymentContents c = scan("fat.jar", Map.of("lib/inner.jar", inner));
        assertTrue(c.problems.stream().anyMatch(p -> p.contains("cli/Main") && p.contains("fat.jar!/lib/inner.jar")), c.problems.toString());
    }

    @Test
    void aForbiddenJarIsCaughtByItsName() throws IOException {
        DeploymentContents c = scan("picocli-4.7.7.jar", Map.of("README", new byte[] {1}));
        assertTrue(c.problems.stream().anyMatch(p -> p.startsWith("jar lib/picocli")), c.problems.toString());
    }
}
