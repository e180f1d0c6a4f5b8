package org.soardeferred.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.soardeferred.common.TransientException;
import org.soardeferred.soar.SoarReplies;
import org.soardeferred.uws.NotAUwsJobException;

/**
 * Reads the reply to a synchronous TAP query and trusts it only when it really is a result table. SOAR has been
 * seen to answer errors as a VOTable with QUERY_STATUS=ERROR, or an HTML maintenance page, with HTTP 200: those
 * are errors here too (an HTML page or a 5xx is retried as transient; a refused query is not).
 */
public class TapReplies {

    private static final ObjectMapper JSON = new ObjectMapper().configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, false);
    private static final Pattern QUERY_STATUS = Pattern.compile(
            "<INFO[^>]*name=\"QUERY_STATUS\"[^>]*value=\"(ERROR|OVERFLOW)\"[^>]*>(.*?)</INFO>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final int MAX_BYTES = 512 * 1024 * 1024;

    /** The form of a synchronous ADQL query asking for JSON (sent with POST: queries listing files are long). */
    public String form(String adql) {
        return "REQUEST=doQuery&LANG=ADQL&FORMAT=json&QUERY=" + java.net.URLEncoder.encode(adql, StandardCharsets.UTF_8);
    }

    public TapTable table(Exchange exchange) throws IOException {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        byte[] bytes;
        try (InputStream in = exchange.getMessage().getBody(InputStream.class)) {
            bytes = in == null ? new byte[0] : in.readNBytes(MAX_BYTES);
        }
        String body = new String(bytes, StandardCharsets.UTF_8);
        String url = exchange.getMessage().getHeader(Exchange.HTTP_URI, "SOAR's tap/sync", String.class);
        return parse(status, url, body);
    }

    /** The table in a TAP reply of this status and body, or the error it holds. */
    public static TapTable parse(int status, String url, String body) {
        String start = body.stripLeading();
        Matcher error = QUERY_STATUS.matcher(body);
        if (error.find()) {
            String message = error.group(2).replaceAll("<!\\[CDATA\\[|]]>", "").strip();
            if ("OVERFLOW".equalsIgnoreCase(error.group(1))) {
                throw new TapException("SOAR's TAP result overflowed (more rows than it returns); the query must be split");
            }
            throw new TapException("SOAR's TAP service refused the query (HTTP " + status + "): " + message);
        }
        if (status < 200 || status >= 300) {
            throw SoarReplies.failure(status, url, body);
        }
        if (start.toLowerCase(Locale.ROOT).startsWith("<!doctype html") || start.toLowerCase(Locale.ROOT).startsWith("<html")) {
            throw new TransientException("SOAR's TAP service answered an HTML page instead of a result (maintenance?): "
                    + NotAUwsJobException.quote(body));
        }
        if (!start.startsWith("{")) {
            throw new TapException("SOAR's TAP service answered something that is not a JSON result: " + NotAUwsJobException.quote(body));
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            // a JSON result cut short is how a silent truncation can look too: never take part of it
            throw new TransientException("SOAR's TAP result is not complete JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        JsonNode metadata = root.path("metadata");
        JsonNode data = root.path("data");
        if (!metadata.isArray() || !data.isArray()) {
            throw new TapException("SOAR's TAP result lacks 'metadata' or 'data': " + NotAUwsJobException.quote(body));
        }
        List<String> columns = new ArrayList<>();
        metadata.forEach(m -> columns.add(m.path("name").asText().toLowerCase(Locale.ROOT)));
        List<List<JsonNode>> rows = new ArrayList<>(data.size());
        for (JsonNode row : data) {
            if (!row.isArray() || row.size() != columns.size()) {
                throw new TapException("SOAR's TAP result has a row of " + row.size() + " values for " + columns.size() + " columns");
            }
            List<JsonNode> values = new ArrayList<>(row.size());
            row.forEach(values::add);
            rows.add(values);
        }
        return new TapTable(List.copyOf(columns), rows);
    }
}
