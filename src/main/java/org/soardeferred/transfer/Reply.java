package org.soardeferred.transfer;

import java.io.InputStream;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.soardeferred.store.ResultRecord;

/** The server's answer to a download's GET: its status, headers (looked up whatever their case) and body. */
record Reply(int status, Map<String, Object> headers, InputStream body) {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    String header(String name) {
        Object v = headers.get(name);
        if (v == null) {
            for (Map.Entry<String, Object> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    v = e.getValue();
                    break;
                }
            }
        }
        return v == null ? null : v.toString();
    }

    /** Content-Length, or null when absent or not a number. */
    Long length() {
        String v = header("Content-Length");
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The total length a Content-Range gives ({@code bytes A-B/TOTAL}), or null when unknown ({@code *}). */
    Long rangeTotal() {
        Matcher m = CONTENT_RANGE.matcher(String.valueOf(header("Content-Range")).strip());
        return m.matches() && !m.group(3).equals("*") ? Long.valueOf(m.group(3)) : null;
    }

    static void checkRangeStart(ResultRecord r, String contentRange, long asked) {
        long start = rangeStart(contentRange);
        if (start != asked) {
            throw new TransferException("result " + r.id + ": asked for bytes from " + asked
                    + " but the server sent a range starting at " + start);
        }
    }

    static long rangeStart(String contentRange) {
        Matcher m = contentRange == null ? null : CONTENT_RANGE.matcher(contentRange.strip());
        if (m == null || !m.matches()) {
            throw new TransferException("the server answered 206 without a usable Content-Range ('" + contentRange + "')");
        }
        return Long.parseLong(m.group(1));
    }
}
