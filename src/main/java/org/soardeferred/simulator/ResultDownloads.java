package org.soardeferred.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpExchange;

/**
 * A completed job's results, its tar.gz packages: served on the simulator's own listener with {@code Range}, the
 * link's shape and the download faults; and checked, as there, for the sendfile listener ({@link SendfileResults}).
 */
record ResultDownloads(Sessions sessions, SimJobs jobs, LinkShape link, Faults faults, RequestLog log) {

    /** {@code GET /tap/async/<job>/results/<id>} on the simulator's own listener. */
    void send(HttpExchange ex, SimJob job, String resultId) throws IOException {
        Path file = jobs.result(job, resultId);
        if (file == null) {
            Exchanges.send(ex, 404, "text/plain", "No result " + resultId);
            return;
        }
        String client = sessions.of(ex).orElse("no session");
        if (!link.acquire(client)) {
            ex.getResponseHeaders().add("Retry-After", "1");
            Exchanges.send(ex, 503, "text/plain", "Too many connections from this client");
            return;
        }
        try {
            sendFile(ex, job, file, resultId + ".tar.gz");
        } finally {
            link.release(client);
        }
    }

    /** A request for a result on the sendfile listener, checked as {@link AsyncJobs} checks it. */
    SendfileResults.Answer lookup(String method, String rawPath, String cookie) {
        String path = rawPath.startsWith(SoarSimulator.CONTEXT) ? rawPath.substring(SoarSimulator.CONTEXT.length()) : rawPath;
        int query = path.indexOf('?');
        String bare = query < 0 ? path : path.substring(0, query);
        log.add(new SoarSimulator.SeenRequest(method, bare, query < 0 ? null : path.substring(query + 1), cookie, null));
        String[] parts = bare.split("/");
        // "", "tap", "async", job, "results", id
        if (parts.length != 6 || !parts[1].equals("tap") || !parts[2].equals("async") || !parts[4].equals("results")) {
            return SendfileResults.Answer.of(404);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return SendfileResults.Answer.of(405);
        }
        SimJob job = jobs.get(parts[3]);
        if (job == null) {
            return SendfileResults.Answer.of(404);
        }
        var session = sessions.ofCookie(cookie);
        if (sessions.refusesJobs(session)) {
            return SendfileResults.Answer.of(401);
        }
        Path file = jobs.result(job, parts[5]);
        return file == null ? SendfileResults.Answer.of(404)
                : new SendfileResults.Answer(200, file, parts[5] + ".tar.gz", job.id, session.orElse("no session"));
    }

    private void sendFile(HttpExchange ex, SimJob job, Path file, String name) throws IOException {
        long size = PackageMaker.size(file) - faults.truncateBy;
        ex.getResponseHeaders().add("Content-Type", "application/x-gzip");
        ex.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + name + "\"");
        if (link.sendsAcceptRanges()) {
            ex.getResponseHeaders().add("Accept-Ranges", "bytes");
        }
        LinkShape.Span span = link.span(ex.getRequestHeaders().getFirst("Range"), size);
        if (span == null) {
            ex.getResponseHeaders().add("Content-Range", "bytes */" + size);
            ex.sendResponseHeaders(416, -1);
            return;
        }
        if (span.partial()) {
            ex.getResponseHeaders().add("Content-Range", "bytes " + span.first() + "-" + span.last() + "/" + size);
        }
        // a length of 0 makes the JDK's server send the body chunked
        ex.sendResponseHeaders(span.partial() ? 206 : 200, link.sendsContentLength() ? span.length() : 0);
        sendBody(ex.getResponseBody(), job, file, span);
    }

    private void sendBody(OutputStream out, SimJob job, Path file, LinkShape.Span span) throws IOException {
        long limit = faults.downloadLimit();
        LinkShape.Pace pace = link.pace();
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(span.first());
            byte[] buffer = new byte[64 * 1024];
            long left = span.length();
            long sent = 0;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, Math.min(left, limit - sent)));
                if (n <= 0) {
                    break;
                }
                pace.beforeSending(n);
                out.write(buffer, 0, n);
                link.sent(job.id, n);
                left -= n;
                sent += n;
                if (sent >= limit) {
                    out.flush();
                    // break the connection off mid-body, as a dropped network does
                    throw new IOException("simulated connection drop after " + sent + " bytes");
                }
            }
        }
        out.close();
    }
}
