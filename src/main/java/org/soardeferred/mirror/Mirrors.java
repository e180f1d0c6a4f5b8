package org.soardeferred.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.ResultRecord;
import org.soardeferred.transfer.Outbox;
import org.soardeferred.transfer.Outboxes;

/**
 * The mirrors of config/mirrors.yaml, as the routes use them: a run begins ({@link #begin}), lists what SOAR has
 * archived since the watermark, turns the files the mirror lacks into requests ({@link #request}) that go through
 * the same submit, poll and fetch routes as any other, and when such a job finishes ({@link #finished}) its files
 * are recorded present (unpacked first, for mirrors that extract) or failed, and the watermark moves up to the
 * oldest file still missing.
 */
public class Mirrors {

    private static final Logger LOG = LoggerFactory.getLogger(Mirrors.class);
    public static final String PACKAGES = ".packages";

    private final Map<String, MirrorDefinition> definitions;
    private final MirrorStore index;
    private final JobStore jobs;
    private final Outboxes outboxes;
    private final String node;
    private final Duration overlap;
    private final int pageSize;

    public Mirrors(Map<String, MirrorDefinition> definitions, MirrorStore index, JobStore jobs, Outboxes outboxes,
                   String node, Duration overlap, int pageSize) {
        this.definitions = Map.copyOf(definitions);
        this.index = index;
        this.jobs = jobs;
        this.outboxes = outboxes;
        this.node = node;
        this.overlap = overlap;
        this.pageSize = pageSize;
    }

    public Collection<MirrorDefinition> definitions() {
        return definitions.values();
    }

    public MirrorDefinition definition(String name) {
        MirrorDefinition d = name == null ? null : definitions.get(name);
        if (d == null) {
            throw new NoSuchMirrorException("there is no mirror '" + name + "' (mirrors: "
                    + new java.util.TreeSet<>(definitions.keySet()) + "; see soar.mirrors)");
        }
        return d;
    }

    /** Every mirror's status, by name. */
    public List<Map<String, Object>> status() {
        return definitions.keySet().stream().sorted().map(this::status).toList();
    }

    /** A mirror as the API shows it: its definition, watermark, files by status and last run. */
    public Map<String, Object> status(String name) {
        MirrorDefinition d = definition(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("schedule", d.schedule());
        m.put("selection", d.selection());
        m.put("target", d.target());
        m.put("extract", d.extract());
        m.put("packageSizeCap", d.sizeCap());
        m.put("retrievalType", d.retrievalType());
        m.put("watermark", index.watermark(d.name()));
        Map<String, Long> files = new LinkedHashMap<>();
        index.counts(d.name()).forEach((status, n) -> files.put(status.name().toLowerCase(java.util.Locale.ROOT), n));
        m.put("files", files);
        List<Map<String, Object>> runs = index.runs(d.name());
        Map<String, Object> last = runs.isEmpty() ? null : new LinkedHashMap<>(runs.get(runs.size() - 1));
        if (last != null && last.get("fireTime") != null) {
            last.put("fireTime", last.get("fireTime").toString());
        }
        m.put("lastRun", last);
        return m;
    }

    /** Where a mirror's packages go: its target, or its tree's .packages folder when it unpacks them. */
    public static String packageTarget(MirrorDefinition d) {
        return d.extract() ? Path.of(d.target()).resolve(PACKAGES).toString() : d.target();
    }

    /** The targets mirrors deliver to: allowed for their requests only (a caller of the API cannot name them). */
    public static List<String> targets(Collection<MirrorDefinition> definitions) {
        return definitions.stream().map(Mirrors::packageTarget).filter(java.util.Objects::nonNull).distinct().toList();
    }

    /** A run of the mirror named by the body; a Quartz fire gives its scheduled time. */
    public MirrorRun begin(Exchange exchange) {
        MirrorDefinition d = definition(exchange.getMessage().getBody(String.class).strip());
        java.util.Date fired = exchange.getMessage().getHeader("scheduledFireTime", java.util.Date.class);
        String watermark = index.watermark(d.name());
        String from = watermark == null ? d.since() : minus(watermark, overlap);
        LOG.info("Mirror {}: listing files archived {}", d.name(), from == null ? "at any time" : "since " + from);
        return new MirrorRun(d, from, fired == null ? null : fired.toInstant(), pageSize, listed -> lacking(d, listed));
    }

    /** The files of a complete listing that the mirror does not have, and is not fetching already. */
    private List<MirrorFile> lacking(MirrorDefinition d, List<MirrorFile> listed) {
        Map<String, MirrorFile> known = index.known(d.name(), listed.stream().map(f -> f.fileName).toList());
        MirrorTree tree = d.extract() ? new MirrorTree(Path.of(d.target())) : null;
        List<MirrorFile> out = new ArrayList<>();
        for (MirrorFile f : listed) {
            MirrorFile k = known.get(f.fileName);
            if (k != null && k.status == MirrorFile.Status.PRESENT && k.sameAs(f) && (tree == null || tree.has(k))) {
                continue;
            }
            if (k != null && k.status == MirrorFile.Status.WANTED && k.sameAs(f) && jobs.running(k.requestKey)) {
                continue;
            }
            out.add(f);
        }
        return out;
    }

    /** The answer to the run's last TAP query. */
    public void take(MirrorRun run, TapTable table) {
        run.take(table);
    }

    /** A batch as a request to SOAR; its files are recorded WANTED first, so its job's end always finds them. */
    public SoarRequest request(MirrorRun run, MirrorRun.Batch batch) {
        MirrorDefinition d = run.definition();
        SoarRequest request = new SoarRequest(batch.name(), batch.itemIds(), null, batch.productType(), d.retrievalType(),
                null, packageTarget(d));
        index.want(d.name(), batch.files(), request.idempotencyKey());
        LOG.info("Mirror {}: {} asks for {} file(s), {} bytes", d.name(), batch.name(), batch.files().size(), batch.bytes());
        return request;
    }

    /** The job a batch went to; one that ended already (the same request delivered before) is settled now. */
    public void track(JobRecord job) {
        if (job != null && job.status.isFinished()) {
            finished(job);
        }
    }

    /** The run listed, asked and is over. */
    public void ran(MirrorRun run, int requests) {
        index.recordRun(run, node, "OK", null);
        if (requests == 0) {
            LOG.info("Mirror {}: up to date ({} file(s) listed, none missing)", run.definition().name(), run.listedCount());
        } else {
            LOG.info("Mirror {}: {} file(s) listed, {} missing ({} bytes) asked for in {} request(s)", run.definition().name(),
                    run.listedCount(), run.wanted().size(), run.wantedBytes(), requests);
        }
    }

    /** The run could not list (SOAR refused, or kept failing): nothing was asked; the next run starts from the same watermark. */
    public void runFailed(MirrorRun run, Exception cause) {
        String why = cause == null ? "unknown" : cause.getMessage();
        LOG.warn("Mirror {}: the run failed and asked for nothing; the next run lists from the same watermark: {}",
                run == null ? "?" : run.definition().name(), why);
        if (run != null) {
            index.recordRun(run, node, "FAILED", why);
        }
    }

    /**
     * A job ended: the files it was to bring become PRESENT (unpacked first when the mirror extracts) or FAILED,
     * and each mirror concerned moves its watermark. Jobs that are no mirror's do nothing here. This is the
     * mirror's bookkeeping, not the job's: when the index cannot be written (the database gone for a moment), the
     * job keeps its outcome and its package, and the files stay WANTED by a job no longer running, which the
     * mirror's next run lists and asks for again.
     */
    public void finished(JobRecord job) {
        Map<String, List<MirrorFile>> wanted;
        try {
            wanted = index.wantedBy(job.idempotencyKey);
        } catch (RuntimeException e) {
            LOG.warn("Cannot look up the mirror files of {} ({}); a mirror's next run lists them again", job.name, e.toString());
            return;
        }
        wanted.forEach((mirror, files) -> {
            try {
                settle(mirror, job, files);
            } catch (RuntimeException e) {
                LOG.warn("Mirror {}: cannot record the {} file(s) of {} ({}); the next run lists them again",
                        mirror, files.size(), job.name, e.toString());
            }
        });
    }

    private void settle(String mirror, JobRecord job, List<MirrorFile> files) {
        MirrorDefinition d = definitions.get(mirror);
        Map<String, String> outcome = new LinkedHashMap<>();
        if (job.status != JobStatus.DELIVERED) {
            files.forEach(f -> outcome.put(f.fileName, "job " + job.id + " failed: " + job.error));
        } else if (d != null && d.extract()) {
            outcome.putAll(unpack(d, job, files));
        } else {
            files.forEach(f -> outcome.put(f.fileName, null));
        }
        String watermark = index.settle(mirror, files, outcome);
        long present = files.stream().filter(f -> f.status == MirrorFile.Status.PRESENT).count();
        if (present == files.size()) {
            LOG.info("Mirror {}: {} file(s) of {} present; watermark {}", mirror, present, job.name, watermark);
        } else {
            LOG.warn("Mirror {}: {} of {} file(s) of {} present, the others are listed again by the next run "
                    + "(watermark {}): {}", mirror, present, files.size(), job.name, watermark,
                    outcome.values().stream().filter(java.util.Objects::nonNull).findFirst().orElse(""));
        }
    }

    private Map<String, String> unpack(MirrorDefinition d, JobRecord job, List<MirrorFile> files) {
        Map<String, String> outcome = new LinkedHashMap<>();
        Map<String, MirrorFile> byName = new LinkedHashMap<>();
        files.forEach(f -> byName.put(f.fileName, f));
        MirrorTree tree = new MirrorTree(Path.of(d.target()));
        Outbox outbox = outboxes.of(job);
        for (ResultRecord r : job.results) {
            Path pkg = outbox.resolve(r.file);
            try {
                outcome.putAll(tree.unpack(pkg, byName));
                if (!d.keepPackages()) {
                    Files.deleteIfExists(pkg);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Mirror {}: cannot unpack {}: {}", d.name(), pkg, e.toString());
                files.forEach(f -> outcome.putIfAbsent(f.fileName, "cannot unpack " + pkg.getFileName() + ": " + e.getMessage()));
            }
        }
        // a file may be in any of the job's packages: one placed by any of them is placed
        files.forEach(f -> {
            if (tree.has(f)) {
                outcome.put(f.fileName, null);
            }
        });
        return outcome;
    }

    /** SOAR's archive times (2024-03-11T18:04:38.139) less a duration, in the same form. */
    static String minus(String time, Duration d) {
        try {
            LocalDateTime t = LocalDateTime.parse(time.length() == 10 ? time + "T00:00:00" : time);
            return t.minus(d).toString();
        } catch (DateTimeParseException e) {
            return time;
        }
    }

    public MirrorStore index() {
        return index;
    }

    /** For the tests and the status of a mirror: when it ran, on which node, what it found. */
    public List<Map<String, Object>> runs(String mirror) {
        return index.runs(mirror);
    }

}
