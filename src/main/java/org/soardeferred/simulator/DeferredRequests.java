package org.soardeferred.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /data?…RETRIEVAL_ACCESS=DEFERRED}: a logged-in user's request for data items, by id or by an ADQL
 * query naming files, becomes a job, answered with its job document. Bad requests get a VOTable error with
 * HTTP 200, as SOAR answers them.
 */
record DeferredRequests(Sessions sessions, ArchiveCatalogue catalogue, SimJobs jobs, JobDocuments documents,
                        Faults faults) {

    private static final Logger LOG = LoggerFactory.getLogger(DeferredRequests.class);
    private static final Pattern QUOTED = Pattern.compile("'([^']+)'");
    private static final Set<String> PRODUCT_TYPES = Set.of("SCIENCE", "LOW_LATENCY", "TELEMETRY");
    private static final Set<String> RETRIEVAL_TYPES = Set.of("PRODUCT", "LAST_PRODUCT", "ALL_PRODUCTS");

    void handle(HttpExchange ex) throws IOException {
        Map<String, String> p = Exchanges.query(ex);
        if (!"DEFERRED".equals(p.get("retrieval_access"))) {
            Exchanges.send(ex, 400, "text/plain", "This simulator serves RETRIEVAL_ACCESS=DEFERRED requests only");
            return;
        }
        var session = sessions.of(ex);
        if (session.isEmpty()) {
            Exchanges.send(ex, 401, "text/html", "<html><body>Authentication required for DEFERRED requests</body></html>");
            return;
        }
        String reply = faults.dataReply;
        if (reply != null) {
            Exchanges.sendAsIs(ex, reply);
            return;
        }
        String productType = p.getOrDefault("product_type", "SCIENCE");
        String retrievalType = p.getOrDefault("retrieval_type", "PRODUCT");
        if (!PRODUCT_TYPES.contains(productType) || !RETRIEVAL_TYPES.contains(retrievalType)) {
            sendVoTableError(ex, "Invalid product_type or retrieval_type: " + productType + ", " + retrievalType);
            return;
        }
        String ids = p.get("data_item_id");
        String query = p.get("query");
        List<JobFile> files;
        if (ids != null && !ids.isBlank()) {
            files = itemFiles(ids, retrievalType);
        } else if (query != null && !query.isBlank()) {
            if (!query.strip().toUpperCase(Locale.ROOT).startsWith("SELECT")) {
                sendVoTableError(ex, "Cannot parse query '" + query + "'");
                return;
            }
            files = queryFiles(query);
        } else {
            sendVoTableError(ex, "No data_item_id or QUERY given");
            return;
        }
        SimJob job = jobs.create(p, Sessions.owner(session.get()), files, query, System.currentTimeMillis());
        if (faults.dropSubmitReply()) {
            // the job exists, the reply never comes: closing the exchange before any header drops the connection
            LOG.info("Simulator: job {} made; dropping the connection without a reply", job.id);
            return;
        }
        faults.holdSubmitReply();
        Exchanges.send(ex, 200, "text/xml;charset=UTF-8", documents.job(job, jobs.phase(job)));
    }

    /**
     * A job the user made earlier (another tool, a colleague on the same account): a DEFERRED request for these
     * comma-separated ids, SCIENCE/PRODUCT, created {@code ago} before now. Returns its id.
     */
    String madeEarlier(String user, String dataItemIds, Duration ago) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("retrieval_type", "PRODUCT");
        p.put("retrieval_access", "DEFERRED");
        p.put("product_type", "SCIENCE");
        p.put("data_item_id", dataItemIds);
        List<JobFile> files = new ArrayList<>();
        for (String id : dataItemIds.split(",")) {
            files.add(JobFile.unarchived(id.strip()));
        }
        return jobs.create(p, user, files, null, System.currentTimeMillis() - ago.toMillis()).id;
    }

    /** The files of comma-separated item ids: the catalogue's versions of each, or a first version of one it lacks. */
    private List<JobFile> itemFiles(String ids, String retrievalType) {
        List<JobFile> files = new ArrayList<>();
        for (String id : ids.split(",")) {
            List<ArchivedFile> archived = catalogue.versions(id.strip(), retrievalType);
            if (archived.isEmpty()) {
                files.add(JobFile.unarchived(id.strip()));
            } else {
                archived.forEach(f -> files.add(new JobFile(f.fileName(), f.fileSize())));
            }
        }
        return files;
    }

    /** The files a query names in quotes (file names or item ids); one named after the query if it names none. */
    private List<JobFile> queryFiles(String query) {
        List<JobFile> files = new ArrayList<>();
        Matcher m = QUOTED.matcher(query);
        while (m.find()) {
            ArchivedFile archived = catalogue.file(m.group(1));
            files.add(archived != null ? new JobFile(archived.fileName(), archived.fileSize())
                    : m.group(1).endsWith(".cdf") ? new JobFile(m.group(1), null) : JobFile.unarchived(m.group(1)));
        }
        if (files.isEmpty()) {
            files.add(JobFile.unarchived("query-" + Sha256Hex.of(query.getBytes(StandardCharsets.UTF_8)).substring(0, 8)));
        }
        return files;
    }

    /** A VOTable error document with HTTP 200, as SOAR answers some bad DEFERRED requests. */
    private static void sendVoTableError(HttpExchange ex, String message) throws IOException {
        Exchanges.send(ex, 200, "text/xml", VoTables.error(message));
    }
}
