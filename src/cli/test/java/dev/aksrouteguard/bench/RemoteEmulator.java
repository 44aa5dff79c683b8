package dev.aksrouteguard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The benchmark's side of an {@link EmulatorProcess}: starts it, reads what it printed, and drives its control endpoint. */
final class RemoteEmulator implements AutoCloseable {

    private final Process process;
    final Map<String, String> env = new LinkedHashMap<>();
    final Map<String, String> ids = new LinkedHashMap<>();
    final Path trustStore;
    final String trustStorePassword;
    final Control control;

    private RemoteEmulator(Process process, BufferedReader out) throws IOException {
        this.process = process;
        Path store = null;
        String password = null;
        String controlUrl = null;
        for (String line = out.readLine(); line != null && !line.equals("ready"); line = out.readLine()) {
            String[] words = line.split(" ", 2);
            switch (words[0]) {
                case "env" -> put(env, words[1]);
                case "id" -> put(ids, words[1]);
                case "trust" -> {
                    String[] t = words[1].split(" ");
                    store = Path.of(t[0]);
                    password = t[1];
                }
                case "control" -> controlUrl = words[1];
                default -> throw new IllegalStateException("unexpected line from the emulator process: " + line);
            }
        }
        if (store == null || controlUrl == null) {
            throw new IllegalStateException("the emulator process ended before it was ready");
        }
        this.trustStore = store;
        this.trustStorePassword = password;
        this.control = new Control(URI.create(controlUrl));
    }

    /** Starts {@link EmulatorProcess} with this JVM's class path, adding {@code largeSubscription(entries)} if not 0. */
    static RemoteEmulator start(int entries, String... more) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(Jvm.java(), "-cp", Jvm.classPath(),
                EmulatorProcess.class.getName(), "--clusters", String.valueOf(entries)));
        command.addAll(List.of(more));
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new RemoteEmulator(p, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    }

    /** The JVM options that make a client trust the emulator's certificate. */
    List<String> trustOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + trustStorePassword,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    private static void put(Map<String, String> map, String pair) {
        int eq = pair.indexOf('=');
        map.put(pair.substring(0, eq), pair.substring(eq + 1));
    }

    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }

    /** The control endpoint of an {@link EmulatorProcess}, usable from any JVM. */
    record Control(URI base) {
        /** Strips the route-table associations of the VNet's subnets, as an IaC re-deploy does. */
        void drift(String vnetId) {
            post("/drift?vnet=" + URLEncoder.encode(vnetId, StandardCharsets.UTF_8));
        }

        /** ARM calls made by the guard's identity since the last call: lists, gets, polls, writes. */
        ArmCalls calls() {
            String[] n = post("/calls").split(" ");
            return new ArmCalls(Integer.parseInt(n[0]), Integer.parseInt(n[1]), Integer.parseInt(n[2]), Integer.parseInt(n[3]));
        }

        /**
         * Subnet PUTs answered 2xx, 409 and 412, how many of the busy VNet's subnets carry the route table and read
         * {@code Succeeded}, and the subnet GETs.
         */
        long[] contention() {
            return java.util.Arrays.stream(post("/contention").split(" ")).mapToLong(Long::parseLong).toArray();
        }

        /** Synchronous HttpURLConnection: no client thread left running in the measured JVM between calls. */
        private String post(String pathAndQuery) {
            try {
                HttpURLConnection c = (HttpURLConnection) base.resolve(pathAndQuery).toURL().openConnection();
                c.setRequestMethod("POST");
                c.setDoOutput(true);
                c.getOutputStream().close();
                int status = c.getResponseCode();
                String body;
                try (InputStream in = status == 200 ? c.getInputStream() : c.getErrorStream()) {
                    body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (status != 200) {
                    throw new IllegalStateException(pathAndQuery + " answered " + status + ": " + body);
                }
                return body;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
