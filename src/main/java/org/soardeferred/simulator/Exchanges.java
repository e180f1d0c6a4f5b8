package org.soardeferred.simulator;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/** Reading a request's parameters and writing a reply, as each of the simulator's endpoints does. */
final class Exchanges {

    private Exchanges() {
    }

    /** A reply with this status and body (none when empty). */
    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    /** A body set by a test, with HTTP 200: as HTML when it is a page (SOAR's maintenance page), else as XML. */
    static void sendAsIs(HttpExchange ex, String body) throws IOException {
        send(ex, 200, body.contains("<html") ? "text/html" : "text/xml", body);
    }

    /** The query string's parameters, names lower-cased. */
    static Map<String, String> query(HttpExchange ex) {
        return parse(ex.getRequestURI().getRawQuery(), true);
    }

    /** The form in the request's body. */
    static Map<String, String> form(HttpExchange ex, boolean lowerCaseNames) throws IOException {
        return parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), lowerCaseNames);
    }

    /** Query or form parameters; names lower-cased when SOAR would (it treats names case-insensitively). */
    private static Map<String, String> parse(String raw, boolean lowerCaseNames) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(lowerCaseNames ? k.toLowerCase(Locale.ROOT) : k, v);
        }
        return out;
    }
}
