package dev.aksrouteguard.bench;

import dev.aksrouteguard.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** (b) Starts {@link CpuProbe} in its own JVM against an {@link EmulatorProcess} and returns its Markdown. */
final class CpuTime {

    private CpuTime() {}

    static String run(RemoteEmulator emulator, int warmup, int events, List<String> jvmOptions)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Jvm.java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", Jvm.classPath(), CpuProbe.class.getName(),
                String.valueOf(warmup), String.valueOf(events), emulator.control.base().toString(),
                emulator.trustStore.toString(), emulator.trustStorePassword));
        emulator.ids.forEach((name, id) -> command.add(name + "=" + id));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        environment(pb.environment(), emulator);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the CPU probe failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** This process's environment without any setting of ours or of an Azure identity, plus the emulator's. */
    static void environment(Map<String, String> env, RemoteEmulator emulator) {
        env.keySet().removeIf(k -> Settings.NAMES.contains(k) || k.startsWith("AZURE_") || k.startsWith("IDENTITY_")
                || k.startsWith("MSI_") || k.equals("JAVA_TOOL_OPTIONS"));
        env.putAll(emulator.env);
    }
}
