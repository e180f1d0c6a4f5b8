package org.soardeferred.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.soardeferred.common.InvalidRequestException;
import org.soardeferred.common.NotFoundException;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.ResultRecord;
import org.soardeferred.transfer.Outbox;
import org.soardeferred.transfer.Outboxes;
import org.soardeferred.transfer.ResultDownload;

/**
 * The JSON side of the REST API and of the bus: a request as JSON becomes a {@link SoarRequest} (or a clear
 * reason why not); a job becomes its status document; jobs are listed by page; an abort is checked before it is
 * sent to the server. The routes in routes/api.camel.yaml and routes/bus.camel.yaml call these.
 */
public class ApiRequests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("ids", "query", "product_type", "retrieval_type", "target", "name", "job_url");

    private final JobStore store;
    private final Outboxes outboxes;
    private final ResultDownload downloads;

    public ApiRequests(JobStore store, Outboxes outboxes, ResultDownload downloads) {
        this.store = store;
        this.outboxes = outboxes;
        this.downloads = downloads;
    }

    /**
     * {@code {"ids": ["a","b"] or "a,b", "query": "SELECT …", "product_type": …, "retrieval_type": …, "name": …,
     * "job_url": …, "target": …}}; unknown fields, wrong types or a request SOAR would refuse are 400s.
     */
    public SoarRequest parse(String body) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("the body is not JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new InvalidRequestException("the body must be a JSON object such as {\"ids\": [\"solo_L2_mag-rtn-normal_20230101\"]}");
        }
        List<String> unknown = new ArrayList<>();
        json.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                unknown.add(f);
            }
        });
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("unknown field(s) " + unknown + "; known: " + new java.util.TreeSet<>(FIELDS));
        }
        List<String> ids = new ArrayList<>();
        JsonNode idsNode = json.get("ids");
        if (idsNode != null && idsNode.isArray()) {
            for (JsonNode id : idsNode) {
                if (!id.isTextual()) {
                    throw new InvalidRequestException("ids must be strings, not " + id);
                }
                ids.add(id.asText().strip());
            }
        } else if (idsNode != null && idsNode.isTextual()) {
            for (String id : idsNode.asText().split("[,\\s]+")) {
                if (!id.isBlank()) {
                    ids.add(id.strip());
                }
            }
        } else if (idsNode != null && !idsNode.isNull()) {
            throw new InvalidRequestException("ids must be a list of strings or a comma-separated string");
        }
        String target = text(json, "target");
        target = target == null || target.isBlank() ? null : target.strip();
        String refused = outboxes.refusal(target);
        if (refused != null) {
            throw new InvalidRequestException(refused);
        }
        String jobUrl = text(json, "job_url");
        String name = text(json, "name");
        if (name == null) {
            name = ids.size() == 1 ? ids.get(0) : jobUrl != null ? "soar-job" : "api-request";
        }
        if (jobUrl != null) {
            if (!ids.isEmpty() || text(json, "query") != null) {
                throw new InvalidRequestException("names a job URL and also ids or a query; give one of them");
            }
            return SoarRequest.attach(name, jobUrl).withTarget(target);
        }
        return new SoarRequest(name, ids, text(json, "query"), text(json, "product_type"), text(json, "retrieval_type"), null, target);
    }

    private static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidRequestException(field + " must be a string, not " + n);
        }
        return n.asText();
    }

    /** The status document of a job: what GET /api/requests/{id} answers and the bus replies. */
    public Map<String, Object> status(JobRecord job) {
        Outbox outbox = outboxes.of(job);
        Map<String, Object> m = job.identity();
        m.put("target", outbox.toString());
        long done = 0;
        Long total = 0L;
        List<Map<String, Object>> results = new ArrayList<>();
        for (ResultRecord r : job.results) {
            long bytes = r.sha256 != null ? r.bytes : r.file == null ? 0 : outbox.progress(r);
            done += bytes;
            total = total == null || r.size == null ? null : total + r.size;
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", r.id);
            e.put("size", r.size);
            e.put("bytes", bytes);
            e.put("sha256", r.sha256);
            e.put("location", r.file == null ? null : outbox.location(r.file));
            e.put("transfer", org.soardeferred.transfer.TransferSummary.of(r));
            results.add(e);
        }
        m.put("bytesDone", done);
        m.put("bytesTotal", job.results.isEmpty() ? null : total);
        // while it downloads: the live transfer (bytes, rate, ETA); once every result is in: how long it took, at what rate
        Map<String, Object> live = job.status == JobStatus.FETCHING ? downloads.live(job.id) : null;
        m.put("transfer", live != null ? live : org.soardeferred.transfer.TransferSummary.of(job.results));
        m.put("phaseHistory", job.phaseHistory);
        m.put("results", results);
        if (job.status.isFinished() && job.outputName != null || job.status == JobStatus.FAILED) {
            m.put("manifest", outbox.manifestLocation(job));
        }
        m.put("error", job.error);
        m.put("errorKind", job.errorKind);
        m.put("createdAt", job.createdAt.toString());
        m.put("updatedAt", job.updatedAt.toString());
        return m;
    }

    public Map<String, Object> status(String id) {
        return status(find(id));
    }

    /** GET /api/requests/{id}/manifest: the job's manifest as the service writes it (404 before it has one). */
    public Map<String, Object> manifest(String id) {
        JobRecord job = find(id);
        if (!(job.status.isFinished() && job.outputName != null || job.status == JobStatus.FAILED)) {
            throw new NotFoundException("request " + id + " has no manifest yet (it is " + job.status + ")");
        }
        return Outbox.manifest(job, job.name, r -> r.file);
    }

    public JobRecord find(String id) {
        return store.find(id == null ? "" : id).orElseThrow(() -> new NoSuchJobException(id));
    }

    /** GET /api/requests?status=…&limit=…&offset=…: newest first. */
    public Map<String, Object> list(String status, String limit, String offset) {
        JobStatus s = null;
        if (status != null && !status.isBlank()) {
            try {
                s = JobStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("status must be one of " + List.of(JobStatus.values()));
            }
        }
        int l = number("limit", limit, 50, 1, 1000);
        int o = number("offset", offset, 0, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> jobs = store.page(s, l, o).stream().map(this::status).toList();
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("limit", l);
        page.put("offset", o);
        page.put("jobs", jobs);
        return page;
    }

    private static int number(String name, String text, int fallback, int min, int max) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n < min || n > max) {
                throw new InvalidRequestException(name + " must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name + " must be a number, not '" + text + "'");
        }
    }

    /**
     * Before POST /api/requests/{id}/abort reaches the server: only a job the server has and that has not finished
     * can be aborted (the poll then sees ABORTED and fails the job). Sets the properties job and phaseUrl.
     */
    public void abortable(Exchange exchange) {
        JobRecord job = find(exchange.getMessage().getHeader("id", String.class));
        if (job.status.isFinished()) {
            throw new ConflictException("job " + job.id + " is already " + job.status);
        }
        if (job.status == JobStatus.FETCHING) {
            throw new ConflictException("job " + job.id + " is COMPLETED on the server and its package is downloading");
        }
        if (job.jobUrl == null) {
            throw new ConflictException("job " + job.id + " is not on the server yet; try again in a moment");
        }
        exchange.setProperty("job", job);
        exchange.setProperty("phaseUrl", job.jobUrl.replaceAll("/+$", "") + "/phase");
    }

    /** The body of an error answer, and its HTTP status (header CamelHttpResponseCode). */
    public Map<String, Object> error(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        while (e != null && e.getCause() != null && !(e instanceof InvalidRequestException || e instanceof NotFoundException
                || e instanceof ConflictException || e instanceof UnauthorizedException)) {
            e = e.getCause();
        }
        int status = e instanceof InvalidRequestException ? 400 : e instanceof NotFoundException ? 404
                : e instanceof ConflictException ? 409 : e instanceof UnauthorizedException ? 401
                : e instanceof org.soardeferred.soar.SoarHttpException ? 502 : 500;
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (status == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer realm=\"soar-deferred\"");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("error", e == null ? "unknown error" : status >= 500 ? org.soardeferred.common.Failures.describe(e) : e.getMessage());
        return m;
    }

    /** With soar.http.token set, every API call must carry {@code Authorization: Bearer <token>}. */
    public static class Auth {
        private final byte[] token;

        public Auth(String token) {
            this.token = token == null || token.isBlank() ? null : token.strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        public void check(Exchange exchange) {
            if (token == null) {
                return;
            }
            String header = exchange.getMessage().getHeader("Authorization", String.class);
            byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? header.substring(7).strip().getBytes(java.nio.charset.StandardCharsets.UTF_8) : new byte[0];
            if (!java.security.MessageDigest.isEqual(token, given)) {
                throw new UnauthorizedException();
            }
        }
    }

    /** No or a wrong bearer token: 401. */
    public static class UnauthorizedException extends RuntimeException {
        public UnauthorizedException() {
            super("a valid bearer token is required (Authorization: Bearer <soar.http.token>)");
        }
    }

    /** An id the store does not know: 404. */
    public static class NoSuchJobException extends NotFoundException {
        public NoSuchJobException(String id) {
            super("no request with id '" + id + "'");
        }
    }

    /** A request that is valid but not now: 409. */
    public static class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }
}
