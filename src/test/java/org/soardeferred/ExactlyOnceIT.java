package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/**
 * Exactly once at SOAR, against the packaged jar: a DEFERRED request whose reply never came (the service killed
 * while SOAR was answering, the connection lost after SOAR made the job) is found in SOAR's job list and adopted,
 * never sent a second time; a job someone made earlier with the same parameters is not ours; a job list that
 * cannot be read delays the request and makes no duplicate.
 */
class ExactlyOnceIT {

    private static final String ITEM = "solo_L2_epd-ept-north-rates_20200820";

    @TempDir
    Path root;

    @Test
    void killedWhileSoarHeldTheSubmitReplyTheRestartAdoptsTheJobInsteadOfSendingAgain() throws Exception {
        try (SoarSimulator soar = simulator().holdSubmitReplies(Duration.ofSeconds(60)).start(0);
             ServiceProcess app = service(soar).start()) {
            app.drop("held.ids", ITEM);
            // SOAR has made the job; its reply is still held when the service dies
            await().atMost(Duration.ofSeconds(60)).until(() -> soar.jobIds().size() == 1);
            app.kill();
            soar.holdSubmitReplies(Duration.ZERO);

            app.start();
            JsonNode m = awaitManifest(app, "held");

            assertThat(soar.jobIds()).as(app.logTail()).hasSize(1);
            assertThat(soar.submits()).isEqualTo(1);
            assertThat(m.path("jobId").asText()).isEqualTo(soar.jobIds().get(0));
            assertThat(events(m)).containsSubsequence("REPLY_LOST", "ADOPTED").doesNotContain("RESENT");
            assertThat(RunningService.sha256(app.outbox.resolve("held.tar.gz")))
                    .isEqualTo(soar.packageSha256(m.path("jobId").asText()).values().iterator().next());
            assertThat(Files.readString(app.log)).contains("adopted, not sent again");
        }
    }

    @Test
    void aReplyLostAfterSoarMadeTheJobIsFoundInTheFullJobListAndAdopted() throws Exception {
        try (SoarSimulator soar = simulator().dropSubmitReplies(1).fullJobList(true).start(0);
             ServiceProcess app = service(soar).start()) {
            app.drop("lost.ids", ITEM);
            JsonNode m = awaitManifest(app, "lost");

            assertThat(soar.jobIds()).as(app.logTail()).hasSize(1);
            assertThat(soar.submits()).isEqualTo(1);
            assertThat(m.path("jobId").asText()).isEqualTo(soar.jobIds().get(0));
            assertThat(events(m)).containsSubsequence("REPLY_LOST", "ADOPTED");
        }
    }

    @Test
    void anOlderJobWithTheSameParametersIsLeftAloneAndANewOneIsMade() throws Exception {
        try (SoarSimulator soar = simulator().fail("submit", 1, 502).start(0);
             ServiceProcess app = service(soar).start()) {
            String older = soar.jobMadeEarlier("scientist", ITEM, Duration.ofHours(1));
            app.drop("mine.ids", ITEM);
            JsonNode m = awaitManifest(app, "mine");

            assertThat(soar.jobIds()).as(app.logTail()).hasSize(2);
            assertThat(m.path("jobId").asText()).isNotEqualTo(older);
            assertThat(events(m)).containsSubsequence("REPLY_LOST", "RESENT").doesNotContain("ADOPTED");
            // read for its parameters and creation time, but never polled for results, downloaded or aborted
            assertThat(soar.requests()).noneMatch(r -> r.path().startsWith("/tap/async/" + older + "/"));
            assertThat(Files.readString(app.log)).contains("holds no job made by the request")
                    .contains("1 job with the same parameters made before it is not ours");
        }
    }

    @Test
    void aJobListThatCannotBeReadForAWhileDelaysTheRequestButMakesNoDuplicate() throws Exception {
        try (SoarSimulator soar = simulator().dropSubmitReplies(1).fail("list", 3, 503).start(0);
             ServiceProcess app = service(soar).start()) {
            app.drop("late.ids", ITEM);
            JsonNode m = awaitManifest(app, "late");

            assertThat(soar.jobIds()).as(app.logTail()).hasSize(1);
            assertThat(soar.submits()).isEqualTo(1);
            assertThat(soar.requests().stream().filter(r -> r.path().equals("/tap/async")).count()).isEqualTo(4);
            assertThat(events(m)).containsSubsequence("REPLY_LOST", "ADOPTED");
        }
    }

    private static SoarSimulator simulator() {
        return new SoarSimulator().user("scientist", "s3cret-Pa55").timing(100, 300);
    }

    private ServiceProcess service(SoarSimulator soar) {
        return new ServiceProcess(root, soar.baseUrl()).env("SOAR_RETRY_DELAY", "200ms").env("SOAR_RETRY_MAX_DELAY", "2s");
    }

    /** The job's own events (not UWS phases) in its history, in order. */
    private static List<String> events(JsonNode manifest) {
        List<String> out = new ArrayList<>();
        manifest.path("phaseHistory").forEach(p -> {
            if (p.has("note")) {
                out.add(p.path("phase").asText());
            }
        });
        return out;
    }

    private static JsonNode awaitManifest(ServiceProcess app, String name) throws java.io.IOException {
        JsonNode m = app.awaitManifest(name);
        assertThat(m.path("status").asText()).as(app.logTail()).isEqualTo("DELIVERED");
        return m;
    }
}
