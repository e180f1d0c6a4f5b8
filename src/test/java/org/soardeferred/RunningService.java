package org.soardeferred;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.soardeferred.config.SoarMain;

import static org.awaitility.Awaitility.await;

/**
 * The real service (Camel Main with the YAML routes of routes/ and config/application.properties) started
 * in-process against a SOAR simulator, with its folders in a test directory and short poll delays.
 */
final class RunningService implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path inbox;
    final Path outbox;
    final Path dataDir;
    private final Main main;

    private RunningService(Path root, Map<String, String> properties) {
        this.inbox = root.resolve("inbox");
        this.outbox = root.resolve("downloads");
        this.dataDir = root.resolve("data");
        Map<String, String> p = new LinkedHashMap<>();
        p.put("soar.inbox", inbox.toString());
        p.put("soar.outbox", outbox.toString());
        p.put("soar.data-dir", dataDir.toString());
        p.put("soar.inbox.scan-interval", "100");
        p.put("soar.inbox.min-age", "100");
        p.put("soar.poll.delay", "100ms");
        p.put("soar.poll.max-delay", "300ms");
        p.put("camel.main.shutdown-timeout", "2");
        p.put("soar.http.enabled", "false");
        p.put("soar.management.enabled", "false");
        p.putAll(properties);
        main = SoarMain.newMain();
        p.forEach(main::addOverrideProperty);
        main.start();
    }

    /** Starts the service against the simulator with the simulator's demo user. */
    static RunningService start(Path root, String baseUrl, Map<String, String> extra) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("soar.base-url", baseUrl);
        p.put("soar.username", "scientist");
        p.put("soar.password", "s3cret-Pa55");
        p.putAll(extra);
        return new RunningService(root, p);
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    /** Drops a query file the way a careful user does: written elsewhere, then moved in. */
    Path drop(String name, String content) {
        return drop(name, content.getBytes(StandardCharsets.UTF_8));
    }

    Path drop(String name, byte[] content) {
        try {
            Files.createDirectories(inbox);
            Path tmp = Files.createTempFile(inbox.getParent(), "drop", ".tmp");
            Files.write(tmp, content);
            return Files.move(tmp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the job of query file NAME.* is finished (manifest written, query file out of .work/). */
    JsonNode awaitManifest(String name) {
        Path manifest = outbox.resolve(name + ".json");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(manifest)
                && readJson(manifest).path("status").asText().matches("DELIVERED|FAILED")
                && !inWork(readJson(manifest).path("localJobId").asText()));
        return readJson(manifest);
    }

    private boolean inWork(String localJobId) throws IOException {
        Path work = inbox.resolve(".work");
        if (!Files.isDirectory(work)) {
            return false;
        }
        try (var files = Files.list(work)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(localJobId + "-"));
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(Path file) {
        return org.soardeferred.transfer.Sha256.of(file);
    }

    @Override
    public void close() {
        main.stop();
    }
}
