package org.soardeferred.mirror;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.soardeferred.common.TransientException;
import org.soardeferred.soar.SoarBusyException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a synchronous TAP reply from SOAR is trusted to be: only a complete JSON result table. */
class TapRepliesTest {

    private static final String URL = "https://soar.esac.esa.int/soar-sl-tap/tap/sync";

    private static final String ERROR_VOTABLE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <VOTABLE version="1.3" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
              <RESOURCE type="results">
                <INFO name="QUERY_STATUS" value="ERROR">Cannot parse query: column "nope" does not exist</INFO>
              </RESOURCE>
            </VOTABLE>
            """;

    private static final String RESULT = """
            {"metadata":[{"name":"File_Name","datatype":"char"},{"name":"FILE_SIZE","datatype":"long"},{"name":"archived_on"}],
             "data":[["a.cdf",123,"2024-03-11T18:04:38.139"],["b.cdf","456",null],["c.cdf",null,""]]}
            """;

    @Test
    void aQueryErrorSentWithHttp200IsATapExceptionHoldingSoarsMessage() {
        assertThatThrownBy(() -> TapReplies.parse(200, URL, ERROR_VOTABLE))
                .isInstanceOf(TapException.class)
                .isNotInstanceOf(TransientException.class)
                .hasMessageContaining("Cannot parse query: column \"nope\" does not exist")
                .hasMessageContaining("HTTP 200");
    }

    @Test
    void aQueryErrorSentWithHttp400IsATapExceptionHoldingSoarsMessage() {
        assertThatThrownBy(() -> TapReplies.parse(400, URL, ERROR_VOTABLE))
                .isInstanceOf(TapException.class)
                .hasMessageContaining("Cannot parse query: column \"nope\" does not exist")
                .hasMessageContaining("HTTP 400");
    }

    @Test
    void aQueryErrorInCdataLosesItsCdataMarkers() {
        String body = "<VOTABLE><RESOURCE><INFO name=\"QUERY_STATUS\" value=\"ERROR\"><![CDATA[bad ADQL]]></INFO></RESOURCE></VOTABLE>";

        assertThatThrownBy(() -> TapReplies.parse(200, URL, body))
                .isInstanceOf(TapException.class)
                .hasMessageEndingWith(": bad ADQL");
    }

    @Test
    void anOverflowIsATapExceptionSayingTheQueryMustBeSplit() {
        String body = "<VOTABLE><RESOURCE><INFO name=\"QUERY_STATUS\" value=\"OVERFLOW\"/></RESOURCE>"
                + "<INFO name=\"QUERY_STATUS\" value=\"OVERFLOW\">too many</INFO></VOTABLE>";

        assertThatThrownBy(() -> TapReplies.parse(200, URL, body))
                .isInstanceOf(TapException.class)
                .hasMessageContaining("overflowed");
    }

    @Test
    void anHtmlPageSentWithHttp200IsTransient() {
        String body = "\n  <!DOCTYPE html><html><body><h1>SOAR is under maintenance</h1></body></html>";

        assertThatThrownBy(() -> TapReplies.parse(200, URL, body))
                .isInstanceOf(TransientException.class)
                .hasMessageContaining("HTML");
        assertThatThrownBy(() -> TapReplies.parse(200, URL, "<HTML><body>down</body></HTML>"))
                .isInstanceOf(TransientException.class);
    }

    @Test
    void http503IsSoarBusyWhichIsTransient() {
        assertThatThrownBy(() -> TapReplies.parse(503, URL, "Service Unavailable"))
                .isInstanceOf(SoarBusyException.class)
                .isInstanceOf(TransientException.class)
                .hasMessageContaining("503");
        assertThat(catchBusy(503).getStatus()).isEqualTo(503);
    }

    private static SoarBusyException catchBusy(int status) {
        try {
            TapReplies.parse(status, URL, "busy");
        } catch (SoarBusyException e) {
            return e;
        }
        throw new AssertionError("no SoarBusyException for HTTP " + status);
    }

    @Test
    void anHtmlErrorPageSentWith503IsStillSoarBusy() {
        assertThatThrownBy(() -> TapReplies.parse(503, URL, "<html><body>503 Service Unavailable</body></html>"))
                .isInstanceOf(SoarBusyException.class);
    }

    @Test
    void aClientErrorWithoutAQueryStatusIsNotTransient() {
        assertThatThrownBy(() -> TapReplies.parse(400, URL, "Bad Request"))
                .isInstanceOf(RuntimeException.class)
                .isNotInstanceOf(TransientException.class)
                .hasMessageContaining("400");
    }

    @Test
    void truncatedJsonIsTransient() {
        String cut = RESULT.substring(0, RESULT.indexOf("\"b.cdf\""));

        assertThatThrownBy(() -> TapReplies.parse(200, URL, cut))
                .isInstanceOf(TransientException.class)
                .hasMessageContaining("not complete JSON");
    }

    @Test
    void jsonWithoutMetadataIsATapException() {
        assertThatThrownBy(() -> TapReplies.parse(200, URL, "{\"data\":[[1]]}"))
                .isInstanceOf(TapException.class)
                .hasMessageContaining("metadata");
        assertThatThrownBy(() -> TapReplies.parse(200, URL, "{\"metadata\":[{\"name\":\"a\"}]}"))
                .isInstanceOf(TapException.class)
                .hasMessageContaining("data");
    }

    @Test
    void aRowWithTheWrongNumberOfValuesIsATapException() {
        String body = "{\"metadata\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"data\":[[1,2],[3]]}";

        assertThatThrownBy(() -> TapReplies.parse(200, URL, body))
                .isInstanceOf(TapException.class)
                .hasMessageContaining("1 values for 2 columns");
        assertThatThrownBy(() -> TapReplies.parse(200, URL, "{\"metadata\":[{\"name\":\"a\"}],\"data\":[[1,2]]}"))
                .isInstanceOf(TapException.class);
        assertThatThrownBy(() -> TapReplies.parse(200, URL, "{\"metadata\":[{\"name\":\"a\"}],\"data\":[1]}"))
                .isInstanceOf(TapException.class);
    }

    @Test
    void somethingElseThanJsonIsATapException() {
        assertThatThrownBy(() -> TapReplies.parse(200, URL, "<VOTABLE><INFO name=\"QUERY_STATUS\" value=\"OK\"/></VOTABLE>"))
                .isInstanceOf(TapException.class)
                .isNotInstanceOf(TransientException.class);
        assertThatThrownBy(() -> TapReplies.parse(200, URL, ""))
                .isInstanceOf(TapException.class);
    }

    @Test
    void aGoodResultParsesWithLowerCaseColumns() {
        TapTable t = TapReplies.parse(200, URL, RESULT);

        assertThat(t.columns()).containsExactly("file_name", "file_size", "archived_on");
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.text(t.rows().get(0), "file_name")).isEqualTo("a.cdf");
        assertThat(t.text(t.rows().get(0), "FILE_NAME")).isEqualTo("a.cdf");
        assertThat(t.number(t.rows().get(0), "file_size")).isEqualTo(123);
        assertThat(t.text(t.rows().get(0), "archived_on")).isEqualTo("2024-03-11T18:04:38.139");
        assertThat(t.number(t.rows().get(1), "file_size")).isEqualTo(456);
        assertThat(t.text(t.rows().get(1), "archived_on")).isNull();
        assertThat(t.number(t.rows().get(2), "file_size")).isEqualTo(-1);
        assertThat(t.text(t.rows().get(2), "archived_on")).isEmpty();
    }

    @Test
    void anEmptyResultIsATableWithoutRows() {
        TapTable t = TapReplies.parse(200, URL, "{\"metadata\":[{\"name\":\"a\"}],\"data\":[]}");

        assertThat(t.columns()).containsExactly("a");
        assertThat(t.size()).isZero();
    }

    @Test
    void askingForAColumnTheResultLacksIsATapException() {
        TapTable t = TapReplies.parse(200, URL, RESULT);

        assertThatThrownBy(() -> t.text(t.rows().get(0), "item_id"))
                .isInstanceOf(TapException.class)
                .hasMessageContaining("item_id");
    }

    @Test
    void theFormAsksForJsonAndEncodesTheQuery() {
        String adql = "SELECT TOP 10 file_name FROM v_public_files WHERE instrument = 'MAG' AND x > 1 & y < 2 ORDER BY file_name";

        String form = new TapReplies().form(adql);

        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : form.split("&")) {
            String[] kv = pair.split("=", 2);
            fields.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        assertThat(fields).containsEntry("REQUEST", "doQuery").containsEntry("LANG", "ADQL").containsEntry("FORMAT", "json")
                .containsEntry("QUERY", adql);
        assertThat(form).doesNotContain(" ").doesNotContain("'");
    }
}
