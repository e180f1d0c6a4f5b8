package org.soardeferred.uws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class UwsJobReaderTest {

    /** The URL the documents are pretended to come from; only used to resolve relative hrefs. */
    private static final String DOCUMENT_URL = "https://example.org/tap/async/doc";

    private final UwsJobReader reader = new UwsJobReader();

    private static byte[] sample(String name) {
        try (InputStream in = UwsJobReaderTest.class.getResourceAsStream("/uws-samples/" + name)) {
            assertThat(in).as("sample %s on the test classpath", name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private UwsJob readSample(String name) {
        return reader.read(sample(name), DOCUMENT_URL);
    }

    private UwsJob read(String xml, String documentUrl) {
        return reader.read(xml.getBytes(StandardCharsets.UTF_8), documentUrl);
    }

    private NotAUwsJobException rejection(String text) {
        return rejection(text.getBytes(StandardCharsets.UTF_8));
    }

    private NotAUwsJobException rejection(byte[] bytes) {
        NotAUwsJobException e = catchThrowableOfType(NotAUwsJobException.class, () -> reader.read(bytes, DOCUMENT_URL));
        assertThat(e).as("a NotAUwsJobException").isNotNull();
        return e;
    }

    // ---------------------------------------------------------------- real single-job samples

    @Nested
    class RealSingleJobSamples {

        @Test
        void dachsCompletedJobGivesIdPhaseAbsoluteResultAndDeclaredVersion11() {
            UwsJob job = readSample("dachs-job-COMPLETED-uws1.1.xml");

            assertThat(job.jobId()).isEqualTo("1337");
            assertThat(job.phase()).isEqualTo(Phase.COMPLETED);
            assertThat(job.jobUrl()).isNull();
            assertThat(job.results()).containsExactly(
                    new UwsResult("result", "http://example.com/tap/async/1337/results/result", null));
            assertThat(job.errorMessage()).isNull();
            assertThat(job.version()).isEqualTo("1.1");
            assertThat(job.supportsWait()).isTrue();
        }

        @Test
        void dachsErrorJobGivesErrorSummaryMessageAndNoResults() {
            UwsJob job = readSample("dachs-job-ERROR-errorSummary.xml");

            assertThat(job.jobId()).isEqualTo("1337");
            assertThat(job.phase()).isEqualTo(Phase.ERROR);
            assertThat(job.results()).isEmpty();
            assertThat(job.errorMessage()).isEqualTo("We have problem");
            assertThat(job.version()).isEqualTo("1.1");
            assertThat(job.supportsWait()).isTrue();
            assertThat(job.failure()).isEqualTo("SOAR job 1337 ended in ERROR: We have problem");
        }

        @Test
        void ivoaSpecExampleGivesResultWithSizeErrorMessageAndVersion11DespiteJobInfo() {
            UwsJob job = readSample("ivoa-uws-1.1-spec-example-COMPLETED-errorSummary-jobInfo.xml");

            assertThat(job.jobId()).isEqualTo("cea-agdevel.jb.man.ac.uk-130.88.24.18-1242749568029-508182314");
            assertThat(job.phase()).isEqualTo(Phase.COMPLETED);
            assertThat(job.results()).containsExactly(
                    new UwsResult("correctedImage", "http://myserver.org/uws/jobs/jobid123/result/image", 3000960L));
            assertThat(job.errorMessage()).isEqualTo("we have problem");
            assertThat(job.version()).isEqualTo("1.1");
            assertThat(job.supportsWait()).isTrue();
        }

        @Test
        void cadcPendingJobGivesVersion11AndNoResultsFromEmptyResultsElement() {
            UwsJob job = readSample("cadc-opencadc-youcat-job-PENDING.xml");

            assertThat(job.jobId()).isEqualTo("tr26z4dk1fmu41jz");
            assertThat(job.phase()).isEqualTo(Phase.PENDING);
            assertThat(job.jobUrl()).isNull();
            assertThat(job.results()).isEmpty();
            assertThat(job.errorMessage()).isNull();
            assertThat(job.version()).isEqualTo("1.1");
            assertThat(job.supportsWait()).isTrue();
        }

        @Test
        void casdaCompletedJobTrimsCdataJobIdAndKeepsAllThreeAbsoluteHrefsWithoutSizes() {
            UwsJob job = readSample("casda-job-COMPLETED-results-signedurls.xml");

            assertThat(job.jobId()).isEqualTo("a7b53da7-1201-46ee-8718-0bf5b64dd5b8");
            assertThat(job.phase()).isEqualTo(Phase.COMPLETED);
            assertThat(job.errorMessage()).as("xsi:nil errorSummary has no message").isNull();
            assertThat(job.version()).isNull();
            assertThat(job.supportsWait()).isFalse();
            assertThat(job.results()).extracting(UwsResult::id)
                    .containsExactly("cube-244.checksum", "cube-244", "cube-245");
            assertThat(job.results()).extracting(UwsResult::size).containsOnlyNulls();
            assertThat(job.results().get(0).href())
                    .isEqualTo("http://casda.csiro.au/download/web/111-000-111-000/askap_img.fits.checksum");
            assertThat(job.results().get(1).href())
                    .isEqualTo("http://casda.csiro.au/download/web/111-000-111-000/askap_img.fits");
        }

        @Test
        void casdaSignedUrlHrefKeepsItsQueryStringWithAmpersandEntitiesDecoded() {
            UwsJob job = readSample("casda-job-COMPLETED-results-signedurls.xml");

            assertThat(job.results().get(2).href()).isEqualTo(
                    "https://ingest.pawsey.org.au/casda-prd-as201-03/sb85679/catalogues/selavy.components.xml"
                            + "?response-content-disposition=attachment%3B%20filename%3D%22selavy.components.xml%22"
                            + "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                            + "&X-Amz-Credential=abc123%2F20260722%2Fpawsey%2Fs3%2Faws4_request"
                            + "&X-Amz-Signature=deadbeef1234567890");
            assertThat(job.results().get(2).href()).doesNotContain("&amp;");
        }

        @Test
        void casdaExecutingJobGivesExecutingPhaseAndNoResults() {
            UwsJob job = readSample("casda-job-EXECUTING.xml");

            assertThat(job.jobId()).isEqualTo("a7b53da7-1201-46ee-8718-0bf5b64dd5b8");
            assertThat(job.phase()).isEqualTo(Phase.EXECUTING);
            assertThat(job.results()).isEmpty();
            assertThat(job.errorMessage()).isNull();
            assertThat(job.version()).isNull();
            assertThat(job.supportsWait()).isFalse();
        }

        @Test
        void casdaSuspendedJobGivesSuspendedPhaseWhichIsNotFinal() {
            UwsJob job = readSample("casda-job-SUSPENDED.xml");

            assertThat(job.jobId()).isEqualTo("a7b53da7-1201-46ee-8718-0bf5b64dd5b8");
            assertThat(job.phase()).isEqualTo(Phase.SUSPENDED);
            assertThat(job.phase().isFinal()).isFalse();
            assertThat(job.results()).isEmpty();
            assertThat(job.version()).isNull();
        }

        @Test
        void cosmosimAbortedJobWithoutXlinkNamespaceGivesAbortedPhaseAndNoError() {
            UwsJob job = readSample("cosmosim-daiquiri-job-ABORTED.xml");

            assertThat(job.jobId()).isEqualTo("308893189727250");
            assertThat(job.phase()).isEqualTo(Phase.ABORTED);
            assertThat(job.results()).isEmpty();
            assertThat(job.errorMessage()).isNull();
            assertThat(job.version()).isNull();
            assertThat(job.supportsWait()).isFalse();
        }

        @Test
        void cosmosimTransientErrorJobGivesTheErrorSummaryMessage() {
            UwsJob job = readSample("cosmosim-daiquiri-job-ERROR-transient.xml");

            assertThat(job.jobId()).isEqualTo("1177277256137938");
            assertThat(job.phase()).isEqualTo(Phase.ERROR);
            assertThat(job.results()).isEmpty();
            assertThat(job.errorMessage()).isEqualTo("Remote MySQL server has gone away");
            assertThat(job.version()).isNull();
        }

        @Test
        void esaTemplateWithHasDetailsAttributeAndCdataEverywhereGivesErrorMessage() {
            byte[] bytes = sample("SYNTHETIC-esavo-uws-2017-template-reconstruction-ERROR.xml");
            // the ESA deviation this sample is about: hasDetails instead of the schema's hasDetail
            assertThat(new String(bytes, StandardCharsets.UTF_8))
                    .contains("<uws:errorSummary type=\"fatal\" hasDetails=\"false\">");

            UwsJob job = reader.read(bytes, DOCUMENT_URL);

            assertThat(job.jobId()).isEqualTo("1700000000000O");
            assertThat(job.phase()).isEqualTo(Phase.ERROR);
            assertThat(job.jobUrl()).as("no email_base_url parameter").isNull();
            assertThat(job.results()).isEmpty();
            assertThat(job.errorMessage()).isEqualTo("Invented example error message");
            assertThat(job.version()).isNull();
            assertThat(job.supportsWait()).isFalse();
        }

        @Test
        void defaultNamespaceDocumentWithoutPrefixParsesAsVersionUndeclared() {
            UwsJob job = readSample("job-COMPLETED-default-namespace-no-prefix-v1.0.xml");

            assertThat(job.jobId()).isEqualTo("1576511540079_32840");
            assertThat(job.phase()).isEqualTo(Phase.COMPLETED);
            assertThat(job.results()).containsExactly(
                    new UwsResult("resultsTable", "http://example.com/tap/async/1234/results/result", null));
            assertThat(job.errorMessage()).isNull();
            assertThat(job.version()).isNull();
            assertThat(job.supportsWait()).isFalse();
        }

        @Test
        void nestedJobInfoDocumentParsesWithItsResultAndVersion11() {
            UwsJob job = readSample("job-COMPLETED-nested-jobInfo.xml");

            assertThat(job.jobId()).isEqualTo("jobid123");
            assertThat(job.phase()).isEqualTo(Phase.COMPLETED);
            assertThat(job.results()).containsExactly(new UwsResult("result", "http://example.com/result", null));
            assertThat(job.errorMessage()).isNull();
            assertThat(job.version()).isEqualTo("1.1");
            assertThat(job.supportsWait()).isTrue();
        }

        @Test
        void readingFromAStreamGivesTheSameJobAsReadingTheBytes() throws IOException {
            String name = "casda-job-COMPLETED-results-signedurls.xml";
            try (InputStream in = UwsJobReaderTest.class.getResourceAsStream("/uws-samples/" + name)) {
                assertThat(reader.read(in, DOCUMENT_URL)).isEqualTo(readSample(name));
            }
        }
    }

    // ---------------------------------------------------------------- ESA DEFERRED reply

    @Nested
    class EsaDeferredReply {

        private static final String JOB_URL = "http://soar.esac.esa.int/soar-sl-tap/tap/async/1651071708120OPE";

        private String esaJob(String phase, String results) {
            return """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink" \
                    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                    <uws:jobId><![CDATA[1651071708120OPE]]></uws:jobId>
                    <uws:runId xsi:nil="true"/>
                    <uws:ownerId><![CDATA[someuser]]></uws:ownerId>
                    <uws:phase>%s</uws:phase>
                    <uws:quote>-1</uws:quote>
                    <uws:parameters>
                    <uws:parameter id="email_base_url" parameter_type="COMMON" parameter_data_type="String" ><![CDATA[
                     http://soar.esac.esa.int/soar-sl-tap/tap/async/1651071708120OPE
                    ]]></uws:parameter>
                    </uws:parameters>
                    <uws:results>%s</uws:results>
                    <uws:errorSummary xsi:nil="true"/>
                    </uws:job>
                    """.formatted(phase, results);
        }

        @Test
        void emailBaseUrlInCdataWithSurroundingNewlinesGivesTheTrimmedJobUrl() {
            UwsJob job = read(esaJob("EXECUTING", ""), "https://soar.esac.esa.int/soar-sl-tap/data?x=1");

            assertThat(job.jobId()).isEqualTo("1651071708120OPE");
            assertThat(job.phase()).isEqualTo(Phase.EXECUTING);
            assertThat(job.jobUrl()).isEqualTo(JOB_URL);
            assertThat(job.results()).isEmpty();
        }

        @Test
        void relativeResultHrefResolvesBelowTheJobUrlNotTheDocumentUrl() {
            UwsJob job = read(esaJob("COMPLETED",
                    "<uws:result id=\"r1\" xlink:type=\"simple\" xlink:href=\"results/r1\" size=\"953398938\"/>"),
                    "https://soar.esac.esa.int/soar-sl-tap/data?retrieval_access=DEFERRED");

            assertThat(job.results()).containsExactly(new UwsResult("r1", JOB_URL + "/results/r1", 953398938L));
        }

        @Test
        void relativeResultHrefResolvesAgainstTheDocumentUrlWhenThereIsNoJobUrl() {
            String xml = """
                    <uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink">
                      <uws:jobId>42</uws:jobId><uws:phase>COMPLETED</uws:phase>
                      <uws:results><uws:result id="r1" xlink:href="results/r1"/></uws:results>
                    </uws:job>""";

            UwsJob job = read(xml, "https://example.org/tap/async/42");

            assertThat(job.results()).containsExactly(new UwsResult("r1", "https://example.org/tap/async/42/results/r1", null));
        }

        @Test
        void spaceInAResultHrefIsPercentEncoded() {
            UwsJob job = read(esaJob("COMPLETED",
                    "<uws:result id=\"r1\" xlink:href=\"results/my package.tar\"/>"), null);

            assertThat(job.results()).singleElement().extracting(UwsResult::href)
                    .isEqualTo(JOB_URL + "/results/my%20package.tar");
        }

        @Test
        void resultHrefWithACharacterIllegalInAUriIsEncodedOrRejectedAsNotAUwsJobButNeverThrowsAnotherException() {
            String xml = esaJob("COMPLETED", "<uws:result id=\"r1\" xlink:href=\"results/a|b\"/>");
            UwsJob[] job = new UwsJob[1];

            Throwable thrown = catchThrowable(() -> job[0] = read(xml, null));

            assertThat(thrown).as("read() may only fail with NotAUwsJobException")
                    .satisfiesAnyOf(t -> assertThat(t).isNull(),
                            t -> assertThat(t).isInstanceOf(NotAUwsJobException.class));
            if (thrown == null) {
                assertThat(job[0].results()).singleElement().extracting(UwsResult::href)
                        .isEqualTo(JOB_URL + "/results/a%7Cb");
            }
        }

        @Test
        void sizeOverTwoGibibytesIsReadAsALong() {
            UwsJob job = read(esaJob("COMPLETED",
                    "<uws:result id=\"r1\" xlink:href=\"results/r1\" size=\"53687091200\"/>"), null);

            assertThat(job.results()).singleElement().extracting(UwsResult::size).isEqualTo(53_687_091_200L);
        }

        @ParameterizedTest(name = "size=\"{0}\" gives size null")
        @ValueSource(strings = {"-1", "-2147483648", "abc", "12.5", "1e9", "", "   "})
        void negativeOrNonNumericSizeGivesSizeNull(String size) {
            UwsJob job = read(esaJob("COMPLETED",
                    "<uws:result id=\"r1\" xlink:href=\"results/r1\" size=\"" + size + "\"/>"), null);

            assertThat(job.results()).singleElement().satisfies(r -> {
                assertThat(r.size()).isNull();
                assertThat(r.href()).isEqualTo(JOB_URL + "/results/r1");
            });
        }
    }

    // ---------------------------------------------------------------- rejections

    @Nested
    class Rejections {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
                "cosmosim-daiquiri-joblist-COMPLETED-ABORTED-ERROR.xml",
                "esa-tapplus-euclid-joblist-fulljobs.xml",
                "esa-tapplus-gaia-joblist-fulljobs-COMPLETED-ERROR.xml",
                "esa-tapplus-gaia-joblist-jobrefs-COMPLETED-ERROR.xml"})
        void jobListDocumentIsRejectedAsNotAUwsJobDocument(String name) {
            NotAUwsJobException e = rejection(sample(name));

            assertThat(e.getMessage()).contains("not a UWS job document").contains("uws:jobs");
        }

        @Test
        void htmlMaintenancePageIsRejectedAsHtmlQuotingThePage() {
            NotAUwsJobException e = rejection("<html><body><h1>Service under maintenance</h1></body></html>");

            assertThat(e.getMessage()).contains("HTML").contains("Service under maintenance");
        }

        @Test
        void htmlPageWithDoctypeIsRejectedAsHtmlNotAsADtd() {
            NotAUwsJobException e = rejection("""
                    <!DOCTYPE html>
                    <html lang="en">
                    <head><title>502 Bad Gateway</title></head>
                    <body><p>The SOAR archive is temporarily unavailable<br></p></body>
                    </html>
                    """);

            assertThat(e.getMessage()).contains("HTML").contains("502 Bad Gateway")
                    .doesNotContain("declares a DTD");
        }

        @Test
        void votableQueryStatusErrorIsRejectedWithTheServersErrorText() {
            NotAUwsJobException e = rejection("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <VOTABLE version="1.3" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
                      <RESOURCE type="results">
                        <INFO name="QUERY_STATUS" value="ERROR">Cannot parse query</INFO>
                      </RESOURCE>
                    </VOTABLE>
                    """);

            assertThat(e.getMessage()).contains("VOTable error").contains("Cannot parse query");
        }

        @Test
        void xxeExternalEntityIsRejectedWithoutReadingTheFile() {
            NotAUwsJobException e = rejection("""
                    <?xml version="1.0"?>
                    <!DOCTYPE uws:job [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
                    <uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0">
                      <uws:jobId>&xxe;</uws:jobId>
                      <uws:phase>COMPLETED</uws:phase>
                    </uws:job>
                    """);

            assertThat(e.getMessage()).contains("DTD").doesNotContain("root:");
        }

        @Test
        void billionLaughsInternalEntityExpansionIsRejected() {
            NotAUwsJobException e = rejection("""
                    <?xml version="1.0"?>
                    <!DOCTYPE uws:job [
                      <!ENTITY lol "lol">
                      <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
                      <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
                      <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
                      <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
                      <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
                      <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
                      <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
                      <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
                      <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
                    ]>
                    <uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0">
                      <uws:jobId>&lol9;</uws:jobId>
                      <uws:phase>COMPLETED</uws:phase>
                    </uws:job>
                    """);

            assertThat(e.getMessage()).contains("DTD").doesNotContain("lollollol");
        }

        @Test
        void malformedXmlIsRejectedAsNotWellFormed() {
            NotAUwsJobException e = rejection("""
                    <uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0">
                      <uws:jobId>1</uws:jobId>
                      <uws:phase>COMPLETED</uws:phase>
                    """);

            assertThat(e.getMessage()).contains("not well-formed XML");
        }

        @Test
        void undeclaredPrefixIsRejectedAsNotWellFormed() {
            NotAUwsJobException e = rejection("<uws:job><uws:jobId>1</uws:jobId></uws:job>");

            assertThat(e.getMessage()).contains("not well-formed XML");
        }

        @Test
        void emptyInputIsRejectedAsAnEmptyReply() {
            NotAUwsJobException e = rejection(new byte[0]);

            assertThat(e.getMessage()).contains("(an empty reply)");
        }

        @Test
        void whitespaceOnlyInputIsRejectedAsAnEmptyReply() {
            NotAUwsJobException e = rejection(" \n\t ");

            assertThat(e.getMessage()).contains("(an empty reply)");
        }

        @Test
        void plainTextIsRejectedQuotingIt() {
            NotAUwsJobException e = rejection("Internal Server Error");

            assertThat(e.getMessage()).contains("\"Internal Server Error\"");
        }

        @Test
        void jobElementInAnotherNamespaceIsRejected() {
            NotAUwsJobException e = rejection("<job xmlns=\"urn:not-uws\"><jobId>1</jobId><phase>COMPLETED</phase></job>");

            assertThat(e.getMessage()).contains("not a UWS job document");
        }

        @Test
        void uwsJobWithNeitherJobIdNorPhaseIsRejected() {
            NotAUwsJobException e = rejection("<uws:job xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\"/>");

            assertThat(e.getMessage()).contains("neither a jobId nor a phase");
        }

        @Test
        void streamLargerThanTheLimitIsRejectedWithoutParsing() {
            byte[] big = new byte[UwsJobReader.MAX_DOCUMENT_BYTES + 1];
            java.util.Arrays.fill(big, (byte) 'x');

            assertThatThrownBy(() -> reader.read(new java.io.ByteArrayInputStream(big), DOCUMENT_URL))
                    .isInstanceOf(NotAUwsJobException.class)
                    .hasMessageContaining("larger than " + UwsJobReader.MAX_DOCUMENT_BYTES);
        }

        @Test
        void longReplyIsQuotedOnOneLineAndAbbreviated() {
            String page = "<html><body>\n" + "maintenance ".repeat(100) + "</body></html>";

            NotAUwsJobException e = rejection(page);

            assertThat(e.getMessage()).doesNotContain("\n").contains("…");
            assertThat(e.getMessage().length()).isLessThan(450);
        }
    }

    // ---------------------------------------------------------------- Phase

    @Nested
    class PhaseParsing {

        @ParameterizedTest(name = "\"{0}\" is COMPLETED")
        @ValueSource(strings = {"COMPLETED", "completed", "Completed", "  COMPLETED\n", "\tcompleted "})
        void parseIgnoresCaseAndSurroundingWhitespace(String text) {
            assertThat(Phase.parse(text)).isEqualTo(Phase.COMPLETED);
        }

        @ParameterizedTest(name = "\"{0}\" is UNKNOWN")
        @ValueSource(strings = {"", "   ", "FINISHED", "RUN", "COMPLETED!", "COMP LETED"})
        void parseGivesUnknownForUnrecognisedText(String text) {
            assertThat(Phase.parse(text)).isEqualTo(Phase.UNKNOWN);
        }

        @Test
        void parseGivesUnknownForNull() {
            assertThat(Phase.parse(null)).isEqualTo(Phase.UNKNOWN);
        }

        @ParameterizedTest
        @EnumSource(Phase.class)
        void parseReadsEveryPhaseName(Phase phase) {
            assertThat(Phase.parse(phase.name().toLowerCase())).isEqualTo(phase);
        }

        @ParameterizedTest
        @EnumSource(value = Phase.class, names = {"COMPLETED", "ERROR", "ABORTED", "ARCHIVED"})
        void completedErrorAbortedAndArchivedAreFinal(Phase phase) {
            assertThat(phase.isFinal()).isTrue();
        }

        @ParameterizedTest
        @EnumSource(value = Phase.class, names = {"PENDING", "QUEUED", "EXECUTING", "UNKNOWN", "HELD", "SUSPENDED"})
        void otherPhasesAreNotFinal(Phase phase) {
            assertThat(phase.isFinal()).isFalse();
        }

        @Test
        void unrecognisedPhaseInADocumentIsUnknownAndNotFinal() {
            UwsJob job = read("""
                    <uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0">
                      <uws:jobId>7</uws:jobId><uws:phase> running </uws:phase>
                    </uws:job>""", null);

            assertThat(job.phase()).isEqualTo(Phase.UNKNOWN);
            assertThat(job.phase().isFinal()).isFalse();
        }
    }

    @Test
    void versionDeclaredAs10DoesNotSupportWait() {
        UwsJob job = read("""
                <uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" version="1.0">
                  <uws:jobId>7</uws:jobId><uws:phase>QUEUED</uws:phase>
                </uws:job>""", null);

        assertThat(job.version()).isEqualTo("1.0");
        assertThat(job.supportsWait()).isFalse();
    }
}
