package org.soardeferred.uws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** Job lists as real servers write them, and the times and parameters of the jobs they hold. */
class UwsJobListTest {

    private static final String LIST_URL = "https://soar.example/soar-sl-tap/tap/async";
    private final UwsJobReader reader = new UwsJobReader();

    private UwsJobList sample(String name) throws IOException {
        InputStream in = UwsJobListTest.class.getResourceAsStream("/uws-samples/" + name);
        assertThat(in).as("sample %s", name).isNotNull();
        return reader.readList(in, LIST_URL);
    }

    @Test
    void esaJobrefsGiveEachJobsIdAndAddressButNoDocument() throws IOException {
        UwsJobList list = sample("esa-tapplus-gaia-joblist-jobrefs-COMPLETED-ERROR.xml");

        assertThat(list.entries()).extracting(UwsJobList.Entry::jobId).containsExactly("1479386030738O", "14793860307381");
        assertThat(list.entries().get(0).url()).isEqualTo("http://gea.esac.esa.int/tap-server/tap/async/1479386030738O");
        assertThat(list.entries()).allSatisfy(e -> assertThat(e.job()).isNull());
    }

    @Test
    void esaFullJobsAreReadWholeWithTheirCreationTimeAndAnAddressUnderTheList() throws IOException {
        UwsJobList list = sample("esa-tapplus-euclid-joblist-fulljobs.xml");

        assertThat(list.entries()).hasSize(2);
        UwsJobList.Entry first = list.entries().get(0);
        assertThat(first.url()).isEqualTo(LIST_URL + "/1479386030738O");
        assertThat(first.job().phase()).isEqualTo(Phase.COMPLETED);
        // 2016-11-17T13:33:50.738+0100: ESA's offset without a colon
        assertThat(first.creationTime()).isEqualTo(Instant.parse("2016-11-17T12:33:50.738Z"));
        assertThat(list.entries().get(1).job().phase()).isEqualTo(Phase.ERROR);
    }

    @Test
    void jobrefsOfAnotherServerResolveTheirHrefs() throws IOException {
        UwsJobList list = sample("cosmosim-daiquiri-joblist-COMPLETED-ABORTED-ERROR.xml");

        assertThat(list.entries()).hasSize(5);
        assertThat(list.entries().get(0).url()).isEqualTo("https://www.cosmosim.org/uws/query/335912448787925");
    }

    @Test
    void aJobrefWithoutHrefIsUnderTheListAndItsCreationTimeIsRead() throws IOException {
        String xml = """
                <jobs xmlns="http://www.ivoa.net/xml/UWS/v1.0" version="1.1">
                  <jobref id="42OPE"><phase>QUEUED</phase><creationTime>2026-12-04T10:00:00Z</creationTime></jobref>
                </jobs>""";
        UwsJobList list = reader.readList(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), LIST_URL + "/");

        assertThat(list.entries()).singleElement().satisfies(e -> {
            assertThat(e.url()).isEqualTo(LIST_URL + "/42OPE");
            assertThat(e.creationTime()).isEqualTo(Instant.parse("2026-12-04T10:00:00Z"));
        });
    }

    @Test
    void aJobDocumentGivesItsParametersByLowerCaseIdAndItsCreationTime() throws IOException {
        try (InputStream in = UwsJobListTest.class.getResourceAsStream("/uws-samples/ivoa-uws-1.1-spec-example-COMPLETED-errorSummary-jobInfo.xml")) {
            UwsJob job = reader.read(in, LIST_URL + "/x");

            assertThat(job.parameters()).containsEntry("scalefactor", "1.8")
                    .containsEntry("image", "http://myserver.org/uws/jobs/jobid123/param/image");
            assertThat(job.creationTime()).isEqualTo(Instant.parse("2009-05-19T17:01:44.038Z"));
        }
    }

    @Test
    void anHtmlPageOrASingleJobIsNotAJobList() {
        assertThatThrownBy(() -> reader.readList(new ByteArrayInputStream(
                "<html><body>Maintenance</body></html>".getBytes(StandardCharsets.UTF_8)), LIST_URL))
                .isInstanceOf(NotAUwsJobException.class).hasMessageContaining("HTML page");
        assertThatThrownBy(() -> reader.readList(UwsJobListTest.class.getResourceAsStream(
                "/uws-samples/dachs-job-COMPLETED-uws1.1.xml"), LIST_URL))
                .isInstanceOf(NotAUwsJobException.class).hasMessageContaining("not a UWS job list");
    }

    @Test
    void datesAreReadWithAnyOffsetOrNoneAndNonsenseIsUnknown() {
        assertThat(UwsDates.parse("2016-11-17T13:33:50.755+0100")).isEqualTo(Instant.parse("2016-11-17T12:33:50.755Z"));
        assertThat(UwsDates.parse("2016-11-17T13:33:50+01:00")).isEqualTo(Instant.parse("2016-11-17T12:33:50Z"));
        assertThat(UwsDates.parse("2016-11-17T13:33:50Z")).isEqualTo(Instant.parse("2016-11-17T13:33:50Z"));
        assertThat(UwsDates.parse("2016-11-17T13:33:50.1")).isEqualTo(Instant.parse("2016-11-17T13:33:50.100Z"));
        assertThat(UwsDates.parse("yesterday")).isNull();
        assertThat(UwsDates.parse(" ")).isNull();
    }
}
