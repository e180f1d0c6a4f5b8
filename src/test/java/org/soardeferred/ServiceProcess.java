package org.soardeferred;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The packaged jar running as a separate JVM, configured through environment variables only, with its folders
 * under a test directory. Its output is appended to service.log there (across restarts).
 */
final class ServiceProcess implements AutoCloseable {

    final Path inbox;
    final Path outbox;
    final Path log;
    private final Path root;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Process process;

    ServiceProcess(Path root, String baseUrl) {
        this.root = root;
        this.inbox = root.resolve("in");
        this.outbox = root.resolve("out");
        this.log = root.resolve("service.log");
        env.put("SOAR_BASE_URL", baseUrl);
        env.put("SOAR_USERNAME", "scientist");
        env.put("SOAR_PASSWORD", "s3cret-Pa55");
        env.put("SOAR_INBOX", inbox.toString());
        env.put("SOAR_OUTBOX", outbox.toString());
        env.put("SOAR_DATA_DIR", root.resolve("state").toString());
        env.put("SOAR_POLL_DELAY", "200ms");
        env.put("SOAR_POLL_MAX_DELAY", "500ms");
        env.put("SOAR_INBOX_MIN_AGE", "200");
        env.put("SOAR_PROGRESS_INTERVAL", "2s");
        env.put("SOAR_HTTP_ENABLED", "false");
        env.put("SOAR_MANAGEMENT_ENABLED", "false");
    }

    ServiceProcess env(String key, String value) {
        env.put(key, value);
        return this;
    }

    ServiceProcess start(String... jvmOptions) throws IOException {
        Path jar = Path.of(System.getProperty("soar.test.jar", "target/soar-deferred.jar")).toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests with mvn verify");
        }
        var command = new java.util.ArrayList<String>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(java.util.List.of(jvmOptions));
        command.add("-jar");
        command.add(jar.toString());
        Files.writeString(log, "---- start ----\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        return this;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** kill -9: no shutdown hook, no graceful stop. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** kill -STOP (true) or kill -CONT (false): the process is frozen, as by a long GC pause or a suspended VM. */
    void freeze(boolean frozen) throws IOException, InterruptedException {
        Process signal = new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", String.valueOf(process.pid())).inheritIO().start();
        if (signal.waitFor() != 0) {
            throw new IOException("kill " + (frozen ? "-STOP" : "-CONT") + " " + process.pid() + " failed");
        }
    }

    Path drop(String name, String content) throws IOException {
        Files.createDirectories(inbox);
        Path tmp = Files.writeString(root.resolve(name + ".tmp"), content);
        return Files.move(tmp, inbox.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The manifest NAME.json once its job has finished (DELIVERED or FAILED), the service still running. */
    com.fasterxml.jackson.databind.JsonNode awaitManifest(String name) throws IOException {
        Path manifest = outbox.resolve(name + ".json");
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(2)).pollInterval(java.time.Duration.ofMillis(300))
                    .until(() -> !isAlive() || Files.exists(manifest)
                            && RunningService.readJson(manifest).path("status").asText().matches("DELIVERED|FAILED"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no finished " + name + ".json; the service's log:\n" + logTail(), e);
        }
        if (!isAlive()) {
            throw new AssertionError("the service stopped; its log:\n" + logTail());
        }
        return RunningService.readJson(manifest);
    }

    String logTail() throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        String text = Files.readString(log);
        return text.length() > 8000 ? text.substring(text.length() - 8000) : text;
    }

    @Override
    public void close() throws InterruptedException {
        if (isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }
}
