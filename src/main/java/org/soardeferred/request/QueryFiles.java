package org.soardeferred.request;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.Failures;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;

/**
 * Where query files go in the inbox: {@code .work/} while their job runs, {@code .done/} when the package is
 * delivered, {@code .error/} with {@code NAME.error.txt} beside it when the file or its job failed. Nothing is
 * overwritten: a second {@code a.ids} in {@code .done/} becomes {@code a-2.ids}.
 */
public class QueryFiles {

    private static final Logger LOG = LoggerFactory.getLogger(QueryFiles.class);
    public static final String WORK = ".work";
    public static final String DONE = ".done";
    public static final String ERROR = ".error";

    private final Path inbox;
    private final JobStore store;

    public QueryFiles(Path inbox, JobStore store) {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.store = store;
    }

    /** The file has left the inbox since it was listed (another node of a cluster took it). */
    public boolean isGone(String file) {
        return !Files.exists(Path.of(file));
    }

    /**
     * Moves an accepted file out of the inbox into .work/, under its job's id, before anything is sent; nothing for a
     * request that came without a file (null).
     */
    public void claim(JobRecord job, String file) throws IOException {
        if (file == null) {
            return;
        }
        job.queryFile = intoWork(Path.of(file), job.id + "-");
        store.update(job);
    }

    /** Moves a rejected file to .error/ with NAME.error.txt beside it saying why. */
    public void reject(String file, Exception cause) throws IOException {
        Path from = Path.of(file);
        String fileName = from.getFileName().toString();
        String reason = Failures.describe(cause);
        String target = reserve(ERROR, fileName);
        writeReason(target, fileName, reason);
        if (Files.exists(from)) {
            Files.move(from, inbox.resolve(target), StandardCopyOption.ATOMIC_MOVE);
        }
        LOG.warn("Rejected query file {}: {} (moved to {})", fileName, reason, target);
    }

    /** A query file that follows an existing job waits in .work/ too, until that job ends. */
    public String park(JobRecord job, String file) throws IOException {
        return intoWork(Path.of(file), job.id + "-f" + System.nanoTime() + "-");
    }

    /** Moves a file into .work/ under the given prefix; returns its path relative to the inbox. */
    private String intoWork(Path from, String prefix) throws IOException {
        String target = WORK + "/" + prefix + from.getFileName();
        Files.createDirectories(inbox.resolve(WORK));
        Files.move(from, inbox.resolve(target), StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** The job ended: its query file leaves .work/ for .done/ or .error/ (with the reason beside it). */
    public void finish(JobRecord job) {
        if (job.queryFile == null || !job.queryFile.startsWith(WORK + "/")) {
            return;
        }
        job.queryFile = leaveWork(job, job.queryFile, job.status == JobStatus.DELIVERED, job.error);
        store.update(job);
    }

    /** A follower's query file goes where its job's went. */
    public void finishFollower(JobRecord job, String queryFile) {
        leaveWork(job, queryFile, job.status == JobStatus.DELIVERED, job.error);
    }

    /** A follower that could not be served goes to .error/, with the reason beside it, whatever its job's outcome. */
    public void rejectFollower(JobRecord job, String queryFile, String reason) {
        leaveWork(job, queryFile, false, reason);
    }

    private String leaveWork(JobRecord job, String queryFile, boolean ok, String reason) {
        Path from = inbox.resolve(queryFile);
        String original = from.getFileName().toString().replaceFirst("^" + job.id + "-(f\\d+-)?", "");
        String target = reserve(ok ? DONE : ERROR, original);
        try {
            if (Files.exists(from)) {
                Files.move(from, inbox.resolve(target), StandardCopyOption.ATOMIC_MOVE);
            }
            if (!ok) {
                writeReason(target, original, reason);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move the query file " + from + " to " + target, e);
        }
        return target;
    }

    /** A free name in the folder: NAME.ext, else NAME-2.ext, …, such that NAME.error.txt is free too. */
    private synchronized String reserve(String folder, String fileName) {
        Path dir = inbox.resolve(folder);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int dot = fileName.lastIndexOf('.');
        String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
        String ext = dot > 0 ? fileName.substring(dot) : "";
        String candidate = stem;
        for (int n = 2; Files.exists(dir.resolve(candidate + ext)) || Files.exists(dir.resolve(candidate + ".error.txt")); n++) {
            candidate = stem + "-" + n;
        }
        return folder + "/" + candidate + ext;
    }

    private void writeReason(String target, String fileName, String reason) {
        String stem = target.substring(0, target.lastIndexOf('.') > target.indexOf('/') ? target.lastIndexOf('.') : target.length());
        Path txt = inbox.resolve(stem + ".error.txt");
        String text = fileName + " was not processed: " + reason + System.lineSeparator()
                + "(" + Instant.now() + ")" + System.lineSeparator();
        try {
            Files.writeString(txt, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + txt, e);
        }
    }
}
