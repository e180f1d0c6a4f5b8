package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/**
 * The packaged jar, in its own JVM with a 256 MB heap, streams a 1 GiB package from the simulator into S3 (S3Proxy
 * in-process in the test's JVM) with the right sha256, configured through environment variables only, with no copy
 * on local disk.
 */
class S3LargePackageIT {

    @TempDir
    Path root;

    @Test
    void thePackagedJarStreamsAOneGibPackageIntoS3WithA256MbHeap() throws Exception {
        long oneGib = 1L << 30;
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(oneGib).timing(100, 200).start(0);
             S3Server s3 = S3Server.start(root.resolve("s3")).bucket("big");
             ServiceProcess app = new ServiceProcess(root, soar.baseUrl()).env("SOAR_TARGET", "s3://big/packages")
                     .env("SOAR_S3_ENDPOINT", s3.endpoint()).env("SOAR_S3_ACCESS_KEY", S3Server.ACCESS_KEY)
                     .env("SOAR_S3_SECRET_KEY", S3Server.SECRET_KEY).start("-Xmx256m")) {
            app.drop("big.ids", "solo_L1_swa-pas-3d_20240201\n");
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !app.isAlive() || Files.exists(app.inbox.resolve(".done/big.ids"))
                            || Files.exists(app.inbox.resolve(".error/big.ids")));

            assertThat(app.isAlive()).as("the service stopped; its log:\n%s", app.logTail()).isTrue();
            assertThat(app.inbox.resolve(".done/big.ids")).as(app.logTail()).exists();
            JsonNode m = new ObjectMapper().readTree(s3.text("big", "packages/big.json"));
            assertThat(m.path("status").asText()).isEqualTo("DELIVERED");
            String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
            assertThat(s3.sha256("big", "packages/big.tar.gz")).isEqualTo(served)
                    .isEqualTo(m.path("results").get(0).path("sha256").asText());
            assertThat(m.path("results").get(0).path("bytes").asLong()).isGreaterThan(oneGib);
            assertThat(s3.uploads("big")).isEmpty();
            assertThat(s3.keys("big")).containsExactlyInAnyOrder("packages/big.tar.gz", "packages/big.json");
            assertThat(app.outbox).as("no local copy").doesNotExist();
            assertThat(Files.readString(app.log)).doesNotContain("OutOfMemoryError").doesNotContain(S3Server.SECRET_KEY);
        }
    }
}
