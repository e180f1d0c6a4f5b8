package org.soardeferred.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;

/**
 * Where a job's packages and manifests go, by name: package and manifest names (NAME, NAME-2… when taken), the
 * manifest {@code NAME.json}, followers served from a delivered job. What stores the bytes is its {@link Target}
 * (a folder, or an S3 bucket); {@link Outboxes} chooses the outbox of a job.
 */
public final class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    public static final String PACKAGE_SUFFIX = ".tar.gz";
    public static final String PART_SUFFIX = ".part";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Target target;

    /** The outbox of a folder. */
    public Outbox(Path folder) {
        this(new FolderTarget(folder));
    }

    public Outbox(Target target) {
        this.target = target;
    }

    /** What stores the bytes. */
    public Target target() {
        return target;
    }

    /** Where NAME is (or would be) stored, for people: a path, or an s3:// URL. */
    public String location(String name) {
        return target.location(name);
    }

    /** A file of the outbox folder (a folder target only: a mirror unpacks its packages from there). */
    public Path resolve(String name) {
        if (target instanceof FolderTarget folder) {
            return folder.resolve(name);
        }
        throw new IllegalStateException(target + " is not a folder");
    }

    /**
     * Fixes the job's output names when fetching starts: NAME, or NAME-2, NAME-3… when a package or manifest of
     * that name from another job is already there. Each result gets NAME.tar.gz, or NAME-<result id>.tar.gz
     * when the job has several. Names are kept in the job record, so a restart writes to the same files.
     * Returns true when names were assigned now (and must be stored).
     */
    public synchronized boolean assignNames(JobRecord job) {
        boolean assigned = false;
        if (job.outputName == null) {
            job.outputName = freeBase(job.name, job);
            assigned = true;
        }
        for (ResultRecord r : job.results) {
            if (r.file == null) {
                r.file = packageName(job.outputName, r, job.results.size());
                assigned = true;
            }
        }
        return assigned;
    }

    /** NAME, or NAME-2, NAME-3… when a manifest or a package of that name is already in the outbox. */
    private String freeBase(String name, JobRecord job) {
        String base = safeName(name);
        String candidate = base;
        for (int n = 2; taken(candidate, job); n++) {
            candidate = base + "-" + n;
        }
        return candidate;
    }

    private boolean taken(String name, JobRecord job) {
        if (target.exists(name + ".json")) {
            return true;
        }
        for (ResultRecord r : job.results) {
            if (target.exists(packageName(name, r, job.results.size()))) {
                return true;
            }
        }
        return false;
    }

    /** The delivered package of a result is still there (a later identical request can be served from it). */
    public boolean isPresent(ResultRecord r) {
        return r.file != null && target.isPresent(r.file);
    }

    /** Bytes of the result stored so far, for progress displays. */
    public long progress(ResultRecord r) {
        return target.stored(r);
    }

    /** The job failed: whatever was stored for its unfinished results is dropped. */
    public void discard(JobRecord job) {
        for (ResultRecord r : job.results) {
            if (r.sha256 == null) {
                target.discard(job, r);
            }
        }
    }

    /**
     * Serves a later query file for the same request from a delivered job: its packages under the follower's
     * name (hard links to the same bytes where the file system allows, copies otherwise; S3: the same objects)
     * and its own manifest. A follower that cannot be served whole keeps none of its packages.
     */
    public synchronized void serveFollower(JobRecord job, String name) {
        String base = freeBase(name, job);
        Map<ResultRecord, String> files = new LinkedHashMap<>();
        try {
            for (ResultRecord r : job.results) {
                // the follower's file has the delivered one's extension (.tar.gz, or another server's type)
                String stem = stem(packageName(job.outputName, r, job.results.size()));
                String extension = r.file.startsWith(stem) ? r.file.substring(stem.length()) : PACKAGE_SUFFIX;
                files.put(r, target.serve(r.file, stem(packageName(base, r, job.results.size())) + extension));
            }
            Map<String, Object> m = manifest(job, name, files::get);
            m.put("servedFrom", job.outputName + ".json");
            target.putManifest(base + ".json", json(m));
        } catch (IOException e) {
            unserve(job, files);
            throw new UncheckedIOException("Cannot serve " + name + " from " + job + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            unserve(job, files);
            throw e;
        }
    }

    /** Deletes the copies a follower was served (not the job's own packages, which an S3 follower lists). */
    private void unserve(JobRecord job, Map<ResultRecord, String> served) {
        served.forEach((r, copy) -> {
            if (!copy.equals(r.file)) {
                try {
                    target.unserve(copy);
                } catch (IOException e) {
                    LOG.warn("{}: cannot delete {}: {}", job, copy, e.getMessage());
                }
            }
        });
    }

    /** A package name without its .tar.gz. */
    static String stem(String packageName) {
        return packageName.substring(0, packageName.length() - PACKAGE_SUFFIX.length());
    }

    static String packageName(String base, ResultRecord r, int resultCount) {
        return resultCount > 1 ? base + "-" + safeName(r.id) + PACKAGE_SUFFIX : base + PACKAGE_SUFFIX;
    }

    /** Writes NAME.json: the request, the job, its phase history, results and outcome. */
    public String writeManifest(JobRecord job) {
        try {
            target.putManifest(manifestBase(job) + ".json", json(manifest(job, job.name, r -> r.file)));
        } catch (RuntimeException e) {
            if (job.status != org.soardeferred.store.JobStatus.FAILED) {
                throw e;
            }
            // the target itself may be what failed: the reason still reaches NAME.error.txt beside the query file
            LOG.warn("{}: the manifest of the failed job could not be written: {}", job, org.soardeferred.common.Failures.describe(e));
            return "(not written)";
        }
        return manifestLocation(job);
    }

    /** Where the job's manifest NAME.json is (or will be). */
    public String manifestLocation(JobRecord job) {
        return location(manifestBase(job) + ".json");
    }

    private static String manifestBase(JobRecord job) {
        return job.outputName != null ? job.outputName : safeName(job.name);
    }

    public static Map<String, Object> manifest(JobRecord job, String name, java.util.function.Function<ResultRecord, String> fileOf) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("status", job.status);
        if (job.error != null) {
            m.put("error", job.error);
        }
        m.put("request", job.request);
        m.put("jobId", job.remoteJobId);
        m.put("jobUrl", job.jobUrl);
        m.put("phase", job.phase);
        m.put("phaseHistory", job.phaseHistory);
        m.put("results", job.results.stream().map(r -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", r.id);
            e.put("href", r.href);
            e.put("size", r.size);
            e.put("file", fileOf.apply(r));
            e.put("bytes", r.bytes);
            e.put("sha256", r.sha256);
            if (r.contentType != null) {
                e.put("contentType", r.contentType);
            }
            e.put("transfer", TransferSummary.of(r));
            return e;
        }).toList());
        m.put("transfer", TransferSummary.of(job.results));
        m.put("localJobId", job.id);
        m.put("createdAt", job.createdAt.toString());
        m.put("updatedAt", job.updatedAt.toString());
        return m;
    }

    private static byte[] json(Map<String, Object> manifest) {
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether packages can be written here now. */
    public Map<String, Object> health() {
        return target.health();
    }

    @Override
    public String toString() {
        return target.toString();
    }

    /** Letters, digits, '.', '_' and '-' only; no leading dot; never empty. */
    public static String safeName(String raw) {
        String s = raw == null ? "" : raw.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "");
        if (s.length() > 120) {
            s = s.substring(0, 120);
        }
        return s.isEmpty() ? "package" : s;
    }
}
