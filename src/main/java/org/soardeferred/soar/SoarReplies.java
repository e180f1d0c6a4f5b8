package org.soardeferred.soar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

import org.apache.camel.Exchange;
import org.soardeferred.uws.NotAUwsJobException;

/**
 * Checks the status of an HTTP reply before its body is trusted, and turns a failure into an exception the
 * error handling understands: busy/restarting (429, 500, 502, 503, 504: retried, honouring Retry-After),
 * session refused (401/403: log in again once), gone (404/410: the job or package has expired), or anything else.
 */
public class SoarReplies {

    private static final Set<Integer> BUSY = Set.of(429, 500, 502, 503, 504);
    private final Duration maxRetryDelay;

    public SoarReplies(Duration maxRetryDelay) {
        this.maxRetryDelay = maxRetryDelay;
    }

    public void check(Exchange exchange) throws IOException {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status >= 200 && status < 300) {
            return;
        }
        String url = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (url == null) {
            url = exchange.getProperty(Exchange.TO_ENDPOINT, "?", String.class).replaceFirst("\\?.*", "");
        }
        String body = readSome(exchange.getMessage().getBody(InputStream.class));
        Long retryAfter = retryAfterMillis(exchange.getMessage().getHeader("Retry-After", String.class));
        if (retryAfter != null) {
            exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, Math.min(retryAfter, maxRetryDelay.toMillis()));
        }
        throw failure(status, url, body);
    }

    /** After POST PHASE=ABORT: UWS answers 303 See Other (to the job list), some servers 200. */
    public void checkAbort(Exchange exchange) throws IOException {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status < 200 || status >= 400) {
            check(exchange);
        }
    }

    public static RuntimeException failure(int status, String url, String body) {
        if (BUSY.contains(status)) {
            return new SoarBusyException(status, "HTTP " + status + " from " + url + " (server busy or restarting): "
                    + NotAUwsJobException.quote(body));
        }
        if (status == 404 || status == 410) {
            return new SoarHttpException(status, url, "the job or result at " + url + " no longer exists on the server (HTTP "
                    + status + "); SOAR keeps packages for 2 days");
        }
        if (status == 401 || status == 403) {
            return new SoarHttpException(status, url, "SOAR refused the request to " + url + " (HTTP " + status
                    + "): the session or the credentials are not accepted");
        }
        return new SoarHttpException(status, url, "HTTP " + status + " from " + url + ": " + NotAUwsJobException.quote(body));
    }

    static Long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(header.strip())) * 1000;
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(ZonedDateTime.now(), at).toMillis());
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static String readSome(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readNBytes(2000), StandardCharsets.UTF_8);
        }
    }
}
