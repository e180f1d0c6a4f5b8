package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(oneGib).timing(100, 200).start(0);
             ServiceProcess app = new ServiceProcess(root, soar.baseUrl())
                     // at loopback speed 1 GiB takes about 2 s: log progress often enough to see it whatever the machine
                     .env("SOAR_PROGRESS_INTERVAL", "100ms").start("-Xmx128m")) {
            app.drop("big.ids", "solo_L1_swa-pas-3d_20240201\n");
            Path manifest = app.outbox.resolve("big.json");
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !app.isAlive() || Files.exists(manifest));

            assertThat(app.isAlive()).as("the service stopped; its log:\n%s", app.logTail()).isTrue();
            JsonNode m = RunningService.readJson(manifest);
            assertThat(m.path("status").asText()).as(app.logTail()).isEqualTo("DELIVERED");
            Path pkg = app.outbox.resolve("big.tar.gz");
            assertThat(Files.size(pkg)).isGreaterThan(oneGib);
            String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
            assertThat(RunningService.sha256(pkg)).isEqualTo(served).isEqualTo(m.path("results").get(0).path("sha256").asText());
            assertThat(Files.readString(app.log)).doesNotContain("OutOfMemoryError").doesNotContain("s3cret-Pa55")
                    .contains("bytes of " + Files.size(pkg));
            assertThat(app.inbox.resolve(".done/big.ids")).exists();
        }
    }
}
