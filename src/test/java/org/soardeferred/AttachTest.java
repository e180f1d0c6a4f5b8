package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;
import org.soardeferred.uws.UwsJob;
import org.soardeferred.uws.UwsJobReader;

/** A job submitted elsewhere (the web interface, a colleague's script) is attached to by its URL, never resubmitted. */
class AttachTest {

    @TempDir
    Path root;
    SoarSimulator soar;
    RunningService service;

    @BeforeEach
    void start() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(64 * 1024).timing(100, 300).start(0);
        service = RunningService.start(root, soar.baseUrl(), Map.of("soar.attach.allowed-hosts", "localhost"));
    }

    @AfterEach
    void stop() {
        service.close();
        soar.close();
    }

    /** Submits a DEFERRED request the way a browser or a wget script does; returns the job's email_base_url. */
    private UwsJob submitElsewhere(String ids) throws Exception {
        HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
        http.send(HttpRequest.newBuilder(URI.create(soar.baseUrl() + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=scientist&password=s3cret-Pa55")).build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<byte[]> reply = http.send(HttpRequest.newBuilder(URI.create(soar.baseUrl()
                + "/data?RETRIEVAL_TYPE=PRODUCT&RETRIEVAL_ACCESS=DEFERRED&PRODUCT_TYPE=SCIENCE&data_item_id=" + ids)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return new UwsJobReader().read(reply.body(), soar.baseUrl());
    }

    @Test
    void theLinkFromSoarsEmailIsAttachedToAndItsPackageDownloadedWithoutASecondSubmit() throws Exception {
        UwsJob elsewhere = submitElsewhere("solo_L2_epd-ept-north-rates_20200820");
        await().atMost(Duration.ofSeconds(10)).until(() -> soar.requests().stream().anyMatch(r -> r.path().endsWith("/data")));
        service.drop("from-email.job", "# the link from the e-mail\n\n   " + elsewhere.jobUrl() + "   \n");

        JsonNode manifest = service.awaitManifest("from-email");

        assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
        assertThat(manifest.path("jobId").asText()).isEqualTo(elsewhere.jobId());
        assertThat(manifest.path("request").path("jobUrl").asText()).isEqualTo(elsewhere.jobUrl());
        assertThat(soar.submits()).isEqualTo(1);
        assertThat(RunningService.sha256(service.outbox.resolve("from-email.tar.gz")))
                .isEqualTo(soar.packageSha256(elsewhere.jobId()).values().iterator().next());
        assertThat(service.inbox.resolve(".done/from-email.job")).exists();
    }

    @Test
    void anAttachedJobThatEndedInErrorIsReportedWithTheServersMessage() throws Exception {
        UwsJob elsewhere = submitElsewhere("solo_L2_sim_error_20200101");
        service.drop("broken.url", elsewhere.jobUrl());

        JsonNode manifest = service.awaitManifest("broken");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("ended in ERROR: Simulated failure");
    }

    @Test
    void anExpiredJobIsReportedAsExpired() throws Exception {
        UwsJob elsewhere = submitElsewhere("solo_L2_epd-ept-north-rates_20200820");
        soar.expireJobs();
        service.drop("old.job", elsewhere.jobUrl());

        JsonNode manifest = service.awaitManifest("old");

        assertThat(manifest.path("error").asText()).contains("no longer exists on the server (HTTP 404)");
    }

    @Test
    void aPendingJobIsReportedAsWaitingForItsOwnerNotStarted() throws Exception {
        soar.holdPending(true);
        UwsJob elsewhere = submitElsewhere("solo_L2_epd-ept-north-rates_20200820");
        service.drop("pending.job", elsewhere.jobUrl());

        JsonNode manifest = service.awaitManifest("pending");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("is PENDING").contains("PHASE=RUN");
        assertThat(soar.count("POST", "/phase")).as("we never start other people's jobs").isZero();
    }

    @Test
    void aJobUrlOnAHostThatIsNotAllowedIsRejectedWithoutBeingContacted() throws Exception {
        service.drop("intranet.job", "http://10.1.2.3/admin/secrets");

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(service.inbox.resolve(".error/intranet.error.txt")));

        assertThat(Files.readString(service.inbox.resolve(".error/intranet.error.txt")))
                .contains("is on 10.1.2.3, which is not SOAR's host").contains("soar.attach.allowed-hosts");
    }

    @Test
    void aJobOnAnotherUwsServerIsPolledWithoutTheSoarLogin() throws Exception {
        UwsJob elsewhere = submitElsewhere("solo_L2_epd-ept-north-rates_20200820");
        soar.requireSessionForJobs(false).uws11(true);
        long loginsBefore = soar.logins();
        String otherServer = elsewhere.jobUrl().replace("127.0.0.1", "localhost");
        service.drop("other-server.job", otherServer);

        JsonNode manifest = service.awaitManifest("other-server");

        assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
        assertThat(soar.logins()).isEqualTo(loginsBefore);
        assertThat(soar.requests().stream().filter(r -> r.path().contains(elsewhere.jobId())))
                .allSatisfy(r -> assertThat(r.cookie()).isNull());
    }

    @Test
    void theSameJobUrlDroppedTwiceIsAttachedOnce() throws Exception {
        soar.timing(100, 2000);
        UwsJob elsewhere = submitElsewhere("solo_L2_epd-ept-north-rates_20200820");
        service.drop("first.job", elsewhere.jobUrl());
        await().atMost(Duration.ofSeconds(10)).until(() -> soar.count("GET", "/tap/async/") > 0);
        service.drop("second.job", elsewhere.jobUrl().replace("http://", "https://"));

        JsonNode first = service.awaitManifest("first");
        JsonNode second = service.awaitManifest("second");

        assertThat(second.path("servedFrom").asText()).isEqualTo("first.json");
        assertThat(second.path("localJobId").asText()).isEqualTo(first.path("localJobId").asText());
    }
}
