package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/**
 * The packaged jar, in its own JVM with a 128 MB heap, streams a 1 GiB package from the simulator to disk with
 * the right sha256: memory stays flat whatever the package size. Configured through environment variables only.
 */
class LargePackageIT {

    @TempDir
    Path root;

    @Test
    void thePackagedJarStreamsAOneGibPackageWithA128MbHeap() throws Exception {
        long oneGib = 1L << 30;
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(oneGib).timing(100, 200).start(0)) {
            Path jar = Path.of(System.getProperty("soar.test.jar", "target/soar-deferred.jar"));
            assertThat(jar).exists();
            Path log = root.resolve("service.log");
            ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xmx128m", "-jar", jar.toAbsolutePath().toString())
                    .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.put("SOAR_BASE_URL", soar.baseUrl());
            env.put("SOAR_USERNAME", "scientist");
            env.put("SOAR_PASSWORD", "s3cret-Pa55");
            env.put("SOAR_INBOX", root.resolve("in").toString());
            env.put("SOAR_OUTBOX", root.resolve("out").toString());
            env.put("SOAR_DATA_DIR", root.resolve("state").toString());
            env.put("SOAR_POLL_DELAY", "200ms");
            env.put("SOAR_PROGRESS_INTERVAL", "2s");
            Process app = pb.start();
            try {
                Files.createDirectories(root.resolve("in"));
                Files.writeString(root.resolve("in/big.ids"), "solo_L1_swa-pas-3d_20240201\n");
                Path manifest = root.resolve("out/big.json");
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> !app.isAlive() || Files.exists(manifest));
                assertThat(app.isAlive()).as("the service is still running; its log:\n%s", tail(log)).isTrue();
                JsonNode m = RunningService.readJson(manifest);
                assertThat(m.path("status").asText()).as(tail(log)).isEqualTo("DELIVERED");
                Path pkg = root.resolve("out/big.tar.gz");
                assertThat(Files.size(pkg)).isGreaterThan(oneGib);
                String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
                assertThat(RunningService.sha256(pkg)).isEqualTo(served).isEqualTo(m.path("results").get(0).path("sha256").asText());
                assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError").doesNotContain("s3cret-Pa55")
                        .contains("bytes of " + Files.size(pkg));
                assertThat(root.resolve("in/.done/big.ids")).exists();
            } finally {
                app.destroy();
                app.waitFor();
            }
        }
    }

    static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    static String tail(Path log) throws java.io.IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        String text = Files.readString(log);
        return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
    }
}
