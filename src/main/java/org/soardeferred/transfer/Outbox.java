package org.soardeferred.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;

/**
 * The output folder: package and manifest names, always inside the folder whatever the server or the query
 * file called things, and the manifest {@code NAME.json} written atomically.
 */
public class Outbox {

    public static final String PACKAGE_SUFFIX = ".tar.gz";
    public static final String PART_SUFFIX = ".part";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path folder;

    public Outbox(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
    }

    public Path folder() {
        return folder;
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
        if (Files.exists(resolve(name + ".json"))) {
            return true;
        }
        for (ResultRecord r : job.results) {
            String file = packageName(name, r, job.results.size());
            if (Files.exists(resolve(file)) || Files.exists(resolve(file + PART_SUFFIX))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Serves a later query file for the same request from a delivered job: its packages under the follower's
     * name (hard links to the same bytes where the file system allows, copies otherwise) and its own manifest.
     */
    public synchronized void serveFollower(JobRecord job, String name) {
        String base = freeBase(name, job);
        Map<ResultRecord, String> files = new LinkedHashMap<>();
        try {
            for (ResultRecord r : job.results) {
                String file = packageName(base, r, job.results.size());
                Path original = resolve(r.file);
                Path copy = resolve(file);
                try {
                    Files.createLink(copy, original);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(original, copy);
                }
                files.put(r, file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve " + name + " from " + job, e);
        }
        Map<String, Object> m = manifest(job, name, files::get);
        m.put("servedFrom", job.outputName + ".json");
        write(base, m);
    }

    private static String packageName(String base, ResultRecord r, int resultCount) {
        return resultCount > 1 ? base + "-" + safeName(r.id) + PACKAGE_SUFFIX : base + PACKAGE_SUFFIX;
    }

    /** A file of the outbox; a name that would leave the folder is refused. */
    public Path resolve(String name) {
        Path p = folder.resolve(name).normalize();
        if (!p.getParent().equals(folder)) {
            throw new SecurityException("'" + name + "' would leave the output folder");
        }
        return p;
    }

    public Path part(ResultRecord r) {
        return resolve(r.file + PART_SUFFIX);
    }

    /** Writes NAME.json: the request, the job, its phase history, results and outcome. */
    public Path writeManifest(JobRecord job) {
        return write(job.outputName != null ? job.outputName : safeName(job.name), manifest(job, job.name, r -> r.file));
    }

    private static Map<String, Object> manifest(JobRecord job, String name, java.util.function.Function<ResultRecord, String> fileOf) {
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
            return e;
        }).toList());
        m.put("localJobId", job.id);
        m.put("createdAt", job.createdAt.toString());
        m.put("updatedAt", job.updatedAt.toString());
        return m;
    }

    private Path write(String base, Map<String, Object> manifest) {
        Path target = resolve(base + ".json");
        try {
            Files.createDirectories(folder);
            Path tmp = resolve("." + base + ".json.tmp");
            JSON.writeValue(tmp.toFile(), manifest);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the manifest " + target, e);
        }
        return target;
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
