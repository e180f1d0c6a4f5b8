package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/** The same request dropped again is served from the job that has it: SOAR sees it once. */
class IdempotencyTest {

    @TempDir
    Path root;
    SoarSimulator soar;

    @BeforeEach
    void startSimulator() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(64 * 1024).timing(100, 1500).start(0);
    }

    @AfterEach
    void stopSimulator() {
        soar.close();
    }

    @Test
    void theSameRequestDroppedTwiceWhileItsJobRunsMakesOneJob() throws Exception {
        try (RunningService service = RunningService.start(root, soar.baseUrl(), Map.of())) {
            service.drop("first.ids", "solo_a_20200101\nsolo_b_20200101");
            org.awaitility.Awaitility.await().until(() -> soar.submits() == 1);
            service.drop("again.ids", "solo_b_20200101, solo_a_20200101, solo_a_20200101 # same items, other order");

            JsonNode first = service.awaitManifest("first");
            JsonNode again = service.awaitManifest("again");

            assertThat(soar.submits()).isEqualTo(1);
            assertThat(again.path("status").asText()).isEqualTo("DELIVERED");
            assertThat(again.path("servedFrom").asText()).isEqualTo("first.json");
            assertThat(again.path("jobId").asText()).isEqualTo(first.path("jobId").asText());
            assertThat(RunningService.sha256(service.outbox.resolve("again.tar.gz")))
                    .isEqualTo(RunningService.sha256(service.outbox.resolve("first.tar.gz")))
                    .isEqualTo(first.path("results").get(0).path("sha256").asText());
            assertThat(service.inbox.resolve(".done/first.ids")).exists();
            assertThat(service.inbox.resolve(".done/again.ids")).exists();
        }
    }

    @Test
    void theSameRequestDroppedAfterDeliveryIsServedAtOnceFromTheDeliveredPackage() throws Exception {
        try (RunningService service = RunningService.start(root, soar.baseUrl(), Map.of())) {
            service.drop("monday.adql", "SELECT filepath, filename FROM soar.v_sc_repository_file WHERE filename='x_V01.cdf'");
            service.awaitManifest("monday");
            service.drop("tuesday.adql", "SELECT   filepath, filename\nFROM soar.v_sc_repository_file\nWHERE filename='x_V01.cdf'");

            JsonNode tuesday = service.awaitManifest("tuesday");

            assertThat(soar.submits()).isEqualTo(1);
            assertThat(tuesday.path("status").asText()).isEqualTo("DELIVERED");
            assertThat(Files.size(service.outbox.resolve("tuesday.tar.gz"))).isEqualTo(Files.size(service.outbox.resolve("monday.tar.gz")));
            assertThat(service.inbox.resolve(".done/tuesday.adql")).exists();
        }
    }

    @Test
    void resubmitAlwaysSendsTheSameRequestAgain() throws Exception {
        try (RunningService service = RunningService.start(root, soar.baseUrl(), Map.of("soar.resubmit", "always"))) {
            service.drop("one.ids", "solo_a_20200101");
            service.awaitManifest("one");
            service.drop("two.ids", "solo_a_20200101");

            JsonNode two = service.awaitManifest("two");

            assertThat(soar.submits()).isEqualTo(2);
            assertThat(two.has("servedFrom")).isFalse();
        }
    }

    @Test
    void anotherProductTypeIsAnotherRequest() throws Exception {
        try (RunningService service = RunningService.start(root, soar.baseUrl(), Map.of())) {
            service.drop("sci.properties", "data_item_id=solo_a_20200101\n");
            service.awaitManifest("sci");
            service.drop("ll.properties", "data_item_id=solo_a_20200101\nproduct_type=LOW_LATENCY\n");
            service.awaitManifest("ll");

            assertThat(soar.submits()).isEqualTo(2);
        }
    }
}
