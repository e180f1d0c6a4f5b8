package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/** State survives a restart: a job SOAR already has is polled again, never submitted twice. */
class RestartTest {

    @TempDir
    Path root;

    @Test
    void aRestartPollsTheSubmittedJobAgainInsteadOfResubmittingIt() {
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(32 * 1024).timing(100, 3000).start(0)) {
            RunningService first = RunningService.start(root, soar.baseUrl(), Map.of());
            first.drop("survivor.ids", "solo_L2_epd-ept-north-rates_20200820");
            await().atMost(Duration.ofSeconds(20)).until(() -> soar.submits() == 1 && soar.count("GET", "/tap/async/") > 0);
            first.close();
            assertThat(first.outbox.resolve("survivor.json")).doesNotExist();

            try (RunningService second = RunningService.start(root, soar.baseUrl(), Map.of())) {
                JsonNode manifest = second.awaitManifest("survivor");

                assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
                assertThat(soar.submits()).isEqualTo(1);
                assertThat(RunningService.sha256(second.outbox.resolve("survivor.tar.gz")))
                        .isEqualTo(soar.packageSha256(manifest.path("jobId").asText()).values().iterator().next());
                assertThat(second.inbox.resolve(".done/survivor.ids")).exists();
            }
        }
    }

    @Test
    void withoutCredentialsEachRequestFailsWithAClearMessageAndTheServiceKeepsRunning() throws Exception {
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").start(0);
             RunningService service = RunningService.start(root, soar.baseUrl(),
                     Map.of("soar.username", "", "soar.password", ""))) {
            service.drop("first.ids", "solo_L2_epd-ept-north-rates_20200820");
            service.drop("second.adql", "SELECT filepath, filename FROM soar.v_sc_repository_file WHERE filename='x.cdf'");

            for (String name : new String[] {"first", "second"}) {
                JsonNode m = service.awaitManifest(name);
                assertThat(m.path("status").asText()).isEqualTo("FAILED");
                assertThat(m.path("error").asText()).contains("SOAR credentials are missing: set SOAR_USERNAME and SOAR_PASSWORD");
            }
            assertThat(Files.readString(service.inbox.resolve(".error/first.error.txt"))).contains("SOAR_USERNAME");
            assertThat(soar.submits()).isZero();
            assertThat(service.context().isStarted()).isTrue();
        }
    }

    @Test
    void aWrongPasswordIsReportedAsARefusedLoginWithoutRevealingThePassword() throws Exception {
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").start(0);
             RunningService service = RunningService.start(root, soar.baseUrl(), Map.of("soar.password", "wrong-Pa55word"))) {
            service.drop("denied.ids", "solo_L2_epd-ept-north-rates_20200820");

            JsonNode m = service.awaitManifest("denied");

            assertThat(m.path("error").asText()).contains("SOAR refused the login of user 'scientist' (HTTP 401)")
                    .doesNotContain("wrong-Pa55word");
            assertThat(Files.readString(service.outbox.resolve("denied.json"))).doesNotContain("wrong-Pa55word");
            assertThat(soar.submits()).isZero();
        }
    }
}
