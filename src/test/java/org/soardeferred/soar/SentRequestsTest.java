package org.soardeferred.soar;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.soardeferred.uws.UwsJobReader;

import static org.assertj.core.api.Assertions.assertThat;

/** Which job of SOAR's list a DEFERRED request whose reply was lost made, if any. */
class SentRequestsTest {

    private static final String LIST = "https://soar.example/soar-sl-tap/tap/async";
    private static final Instant SENT = Instant.parse("2026-12-04T10:00:00Z");
    private static final SoarRequest IDS = new SoarRequest("epd", List.of("solo_b", "solo_a"), null, null, null);

    private final SentRequests sentRequests = new SentRequests(new UwsJobReader(), Duration.ofMinutes(2), id -> id.equals("9OPE"));

    @Test
    void theSameIdsInAnyOrderMadeSinceTheSendAreAdoptedFromAFullList() throws IOException {
        SentRequestSearch search = sentRequests.search(IDS, SENT, list(
                job("1OPE", "2026-12-04T09:00:00Z", "solo_a,solo_b", "SCIENCE", "PRODUCT"),
                job("2OPE", "2026-12-04T10:00:01.500+0000", "solo_c", "SCIENCE", "PRODUCT"),
                job("3OPE", "2026-12-04T11:00:00+0100", "solo_b, solo_a", "SCIENCE", "PRODUCT")), LIST);

        assertThat(search.getNextUrl()).isNull();
        assertThat(search.getFound().jobId()).isEqualTo("3OPE");
        assertThat(search.describe()).contains("adopted").contains("3 jobs")
                .contains("1 job with the same parameters made before it is not ours");
    }

    @Test
    void aJobMadeWithinTheClockSkewBeforeTheSendIsOurs() throws IOException {
        SentRequestSearch search = sentRequests.search(IDS, SENT, list(
                job("1OPE", "2026-12-04T09:58:30Z", "solo_a,solo_b", "SCIENCE", "PRODUCT")), LIST);

        assertThat(search.getFound().jobId()).isEqualTo("1OPE");
    }

    @Test
    void otherTypesAnOlderJobOrOneTheStoreFollowsAlreadyAreNotOurs() throws IOException {
        SentRequestSearch search = sentRequests.search(IDS, SENT, list(
                job("1OPE", "2026-12-04T10:00:05Z", "solo_a,solo_b", "LOW_LATENCY", "PRODUCT"),
                job("2OPE", "2026-12-04T10:00:05Z", "solo_a,solo_b", "SCIENCE", "ALL_PRODUCTS"),
                job("4OPE", "2026-12-04T10:00:05Z", "solo_a", "SCIENCE", "PRODUCT"),
                job("9OPE", "2026-12-04T10:00:05Z", "solo_a,solo_b", "SCIENCE", "PRODUCT"),
                job("5OPE", "2026-12-04T09:50:00Z", "solo_a,solo_b", "SCIENCE", "PRODUCT")), LIST);

        assertThat(search.getFound()).isNull();
        assertThat(search.describe()).contains("holds no job made by the request").contains("sent again");
    }

    @Test
    void aQueryMatchesUpToWhiteSpace() throws IOException {
        SoarRequest adql = new SoarRequest("q", List.of(), "SELECT filepath, filename\n  FROM soar.v_sc_repository_file", null, null);
        String sameQuery = "<uws:parameter id=\"QUERY\"><![CDATA[SELECT  filepath, filename FROM soar.v_sc_repository_file ]]></uws:parameter>";

        SentRequestSearch search = sentRequests.search(adql, SENT, list(jobWith("7OPE", "2026-12-04T10:00:03Z", sameQuery)), LIST);

        assertThat(search.getFound().jobId()).isEqualTo("7OPE");
    }

    @Test
    void jobrefsAreReadOneByOneUnlessTheirCreationTimeIsOlderAndAJobGoneMeanwhileIsSkipped() throws IOException {
        String refs = """
                <uws:jobs xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink">
                  <uws:jobref id="1OPE" xlink:href="%1$s/1OPE"><uws:phase>COMPLETED</uws:phase><uws:creationTime>2026-12-01T00:00:00Z</uws:creationTime></uws:jobref>
                  <uws:jobref id="2OPE" xlink:href="%1$s/2OPE"><uws:phase>COMPLETED</uws:phase></uws:jobref>
                  <uws:jobref id="3OPE" xlink:href="%1$s/3OPE"><uws:phase>QUEUED</uws:phase></uws:jobref>
                  <uws:jobref id="4OPE" xlink:href="%1$s/4OPE"><uws:phase>QUEUED</uws:phase></uws:jobref>
                </uws:jobs>""".formatted(LIST);
        SentRequestSearch search = sentRequests.search(IDS, SENT, stream(refs), LIST);

        assertThat(search.getNextUrl()).isEqualTo(LIST + "/2OPE");
        sentRequests.gone(search);
        assertThat(search.getNextUrl()).isEqualTo(LIST + "/3OPE");
        sentRequests.read(search, stream(job("3OPE", "2026-12-04T10:00:02Z", "solo_a,solo_b", "SCIENCE", "PRODUCT")
                .replace("<uws:job>", "<uws:job xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\">")));

        assertThat(search.getFound().jobId()).isEqualTo("3OPE");
        assertThat(search.getNextUrl()).as("the search ends at the first job that is ours").isNull();
        assertThat(search.describe()).contains("4 jobs, 2 read");
    }

    @Test
    void theRequestRecognisesItsOwnParametersOnly() {
        assertThat(IDS.madeJobWith(java.util.Map.of("data_item_id", "solo_a,solo_b", "retrieval_access", "DEFERRED"))).isTrue();
        assertThat(IDS.madeJobWith(java.util.Map.of("data_item_id", "solo_a,solo_b", "retrieval_access", "DIRECT"))).isFalse();
        assertThat(IDS.madeJobWith(java.util.Map.of("query", "SELECT 1"))).isFalse();
        assertThat(SoarRequest.attach("x", "https://soar.example/tap/async/1").madeJobWith(java.util.Map.of())).isFalse();
    }

    private static InputStream list(String... jobs) {
        return stream("<uws:jobs xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\">" + String.join("\n", jobs) + "</uws:jobs>");
    }

    private static String job(String id, String created, String ids, String productType, String retrievalType) {
        return jobWith(id, created, "<uws:parameter id=\"data_item_id\"><![CDATA[" + ids + "]]></uws:parameter>"
                + "<uws:parameter id=\"product_type\">" + productType + "</uws:parameter>"
                + "<uws:parameter id=\"RETRIEVAL_TYPE\">" + retrievalType + "</uws:parameter>"
                + "<uws:parameter id=\"retrieval_access\">DEFERRED</uws:parameter>");
    }

    private static String jobWith(String id, String created, String parameters) {
        return "<uws:job><uws:jobId>" + id + "</uws:jobId><uws:phase>QUEUED</uws:phase><uws:creationTime>" + created
                + "</uws:creationTime><uws:parameters>" + parameters + "</uws:parameters></uws:job>";
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
