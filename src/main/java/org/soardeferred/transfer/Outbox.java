package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;

/**
 * Where packages and manifests go. This class is the output folder (the default target): package and manifest
 * names, always inside the folder whatever the server or the query file called things; packages grow under
 * {@code NAME.tar.gz.part} and are renamed once verified; the manifest {@code NAME.json} is written atomically.
 * {@link S3Outbox} stores the same names as objects in a bucket. The naming and the manifests are shared; the
 * storage steps ({@link #stored}, {@link #prime}, {@link #restart}, {@link #publish}, {@link #discard}) are what
 * a target overrides.
 */
public class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    public static final String PACKAGE_SUFFIX = ".tar.gz";
    public static final String PART_SUFFIX = ".part";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path folder;

    public Outbox(Path folder) {
        this.folder = folder == null ? null : folder.toAbsolutePath().normalize();
    }

    /** Where NAME is (or would be) stored, for people: a path, or an s3:// URL. */
    public String location(String name) {
        return resolve(name).toString();
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
        if (exists(name + ".json")) {
            return true;
        }
        for (ResultRecord r : job.results) {
            if (exists(packageName(name, r, job.results.size()))) {
                return true;
            }
        }
        return false;
    }

    /** A package or manifest of that name is stored, or a package of that name is on its way. */
    protected boolean exists(String name) {
        return Files.exists(resolve(name)) || Files.exists(resolve(name + PART_SUFFIX));
    }

    /** The delivered package of a result is still there (a later identical request can be served from it). */
    public boolean isPresent(ResultRecord r) {
        return r.file != null && Files.exists(resolve(r.file));
    }

    // --- the storage steps of one result, called by ResultDownload ------------------------------------------

    /** Bytes of the result already stored by an earlier attempt: where the download resumes. */
    public long stored(JobRecord job, ResultRecord r) throws IOException {
        Files.createDirectories(folder);
        Path part = part(r);
        long onDisk = Files.exists(part) ? Files.size(part) : 0;
        if (r.size != null && onDisk > r.size) {
            LOG.warn("{}: {} has {} bytes, more than the {} of the result; starting over", job, part.getFileName(), onDisk, r.size);
            Files.delete(part);
            onDisk = 0;
        }
        return onDisk;
    }

    /** Feeds the bytes already stored through the digest and the check; false when they cannot be read back. */
    public boolean prime(JobRecord job, ResultRecord r, PackageDigest digest) throws IOException {
        try (InputStream in = Files.newInputStream(part(r))) {
            digest.updateFrom(in);
        }
        return true;
    }

    /** The server sent the whole package although part of it was stored: the stored part is dropped. */
    public void restart(JobRecord job, ResultRecord r) throws IOException {
        // write() starts the part over (the download is not a resume)
    }

    /**
     * Called by the fetch route: streams the download (the body, a {@link TransferStream}) into NAME.tar.gz.part,
     * after the bytes stored before when the download resumes (a 206), from the start otherwise. The bytes are
     * written from the digest's own buffer.
     */
    public void write(Exchange exchange) throws IOException {
        ResultRecord r = exchange.getProperty(ResultDownload.RESULT, ResultRecord.class);
        boolean resumed = exchange.getProperty(ResultDownload.RESUMED, false, Boolean.class);
        TransferStream stream = exchange.getMessage().getBody(TransferStream.class);
        Files.createDirectories(folder);
        try (FileChannel part = FileChannel.open(part(r), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            stream.transferTo(Channels.newOutputStream(part));
        }
    }

    /**
     * The package is complete and verified (or, when {@code verified} is null, complete but its stored start could
     * not be read back before: the target verifies it as a whole now): it goes under its final name, {@code name}
     * (the result's file name, its extension perhaps changed by {@link ResultNames}). Returns the sha256 of the package.
     */
    public String publish(JobRecord job, ResultRecord r, String verified, String name) throws IOException {
        Files.move(part(r), resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return verified;
    }

    /** The bytes stored for the result cannot become a package (wrong size, broken, the job failed): drop them. */
    public void discard(JobRecord job, ResultRecord r) {
        try {
            if (r.file != null) {
                Files.deleteIfExists(part(r));
            }
        } catch (IOException e) {
            LOG.warn("{}: cannot delete {}: {}", job, part(r), e.getMessage());
        }
    }

    /** The job failed: whatever was stored for its unfinished results is dropped. */
    public void discard(JobRecord job) {
        for (ResultRecord r : job.results) {
            if (r.sha256 == null) {
                discard(job, r);
            }
        }
    }

    /** Bytes of the result stored so far, for progress displays. */
    public long progress(ResultRecord r) {
        try {
            Path part = part(r);
            return Files.exists(part) ? Files.size(part) : Files.exists(resolve(r.file)) ? Files.size(resolve(r.file)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Serves a later query file for the same request from a delivered job: its packages under the follower's
     * name (hard links to the same bytes where the file system allows, copies otherwise) and its own manifest.
     * A follower that cannot be served whole keeps none of its packages.
     */
    public synchronized void serveFollower(JobRecord job, String name) {
        String base = freeBase(name, job);
        Map<ResultRecord, String> files = new LinkedHashMap<>();
        try {
            for (ResultRecord r : job.results) {
                // the follower's file has the delivered one's extension (.tar.gz, or another server's type)
                String stem = stem(packageName(job.outputName, r, job.results.size()));
                String extension = r.file.startsWith(stem) ? r.file.substring(stem.length()) : PACKAGE_SUFFIX;
                files.put(r, serve(r.file, stem(packageName(base, r, job.results.size())) + extension));
            }
            Map<String, Object> m = manifest(job, name, files::get);
            m.put("servedFrom", job.outputName + ".json");
            write(base, m);
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
                    Files.deleteIfExists(resolve(copy));
                } catch (IOException e) {
                    LOG.warn("{}: cannot delete {}: {}", job, copy, e.getMessage());
                }
            }
        });
    }

    /** Serves a delivered package under a follower's name; returns the name the follower's manifest lists. */
    protected String serve(String original, String copy) throws IOException {
        try {
            link(resolve(copy), resolve(original));
        } catch (IOException | UnsupportedOperationException e) {
            // a copy is made under another name and renamed once whole: never half-written under its final name
            Path partial = resolve("." + copy + ".copying");
            try {
                Files.copy(resolve(original), partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, resolve(copy), StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        return copy;
    }

    /** A hard link to a delivered package (file systems without hard links: a copy instead). */
    protected void link(Path link, Path existing) throws IOException {
        Files.createLink(link, existing);
    }

    /** A package name without its .tar.gz. */
    static String stem(String packageName) {
        return packageName.substring(0, packageName.length() - PACKAGE_SUFFIX.length());
    }

    static String packageName(String base, ResultRecord r, int resultCount) {
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

    /** Pieces of a segmented download can be written at their offsets (into NAME.tar.gz.part). */
    public boolean writesPieces() {
        return true;
    }

    /** The size of a segmented download's pieces: soar.fetch.piece-size (S3: its part size). */
    public long pieceSize(ResultRecord r, long configured) {
        return configured;
    }

    /**
     * The pieces of a segmented download: those recorded by an earlier attempt when NAME.tar.gz.part still holds
     * them; else a new plan, in which the bytes a single stream stored before count as the pieces they fill.
     */
    public Pieces storedPieces(JobRecord job, ResultRecord r, Pieces recorded, long pieceSize) throws IOException {
        Path part = part(r);
        long onDisk = Files.exists(part) ? Files.size(part) : 0;
        if (recorded != null && recorded.storedEnd() <= onDisk) {
            return recorded;
        }
        if (recorded != null) {
            LOG.warn("{}: the pieces recorded for {} are not all in {} ({} bytes); fetching it all again", job, r.file,
                    part.getFileName(), onDisk);
        }
        Pieces plan = new Pieces(r.size, pieceSize);
        if (recorded == null && r.pieces == null) {
            for (int i = 0; i < plan.count() && plan.end(i) < onDisk; i++) {
                plan.stored(i);
            }
        }
        return plan;
    }

    /** Where a segmented download's pieces go: written at their offsets into NAME.tar.gz.part. */
    public PieceTarget pieceTarget(JobRecord job, ResultRecord r, Pieces pieces, int connections) throws IOException {
        return new FolderPieces(part(r), pieces);
    }

    public Path part(ResultRecord r) {
        return resolve(r.file + PART_SUFFIX);
    }

    /** Writes NAME.json: the request, the job, its phase history, results and outcome. */
    public String writeManifest(JobRecord job) {
        try {
            write(manifestBase(job), manifest(job, job.name, r -> r.file));
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

    /** Stores NAME.json in one step: nobody ever reads half a manifest. */
    protected void write(String base, Map<String, Object> manifest) {
        Path target = resolve(base + ".json");
        try {
            Files.createDirectories(folder);
            Path tmp = resolve("." + base + ".json.tmp");
            JSON.writeValue(tmp.toFile(), manifest);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the manifest " + target, e);
        }
    }

    protected static byte[] json(Map<String, Object> manifest) {
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether packages can be written here now: the folder (or the nearest existing parent) is writable; its free space. */
    public Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", toString());
        Path existing = folder;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        boolean up = existing != null && Files.isDirectory(existing) && Files.isWritable(existing);
        m.put("up", up);
        m.put("message", up ? (existing.equals(folder) ? "writable" : "will be created (" + existing + " is writable)")
                : existing == null ? "no such folder" : existing + " is not a writable folder");
        try {
            m.put("freeBytes", existing == null ? null : Files.getFileStore(existing).getUsableSpace());
        } catch (IOException e) {
            m.put("freeBytes", null);
        }
        return m;
    }

    @Override
    public String toString() {
        return folder.toString();
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
