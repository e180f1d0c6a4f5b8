package org.soardeferred.simulator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the tar.gz packages of jobs ({@link SimulatedPackage}) in a temporary folder, on two threads: a job's files
 * dealt over {@link #resultsPerJob} results. The same files and sizes always make the same bytes: made once.
 */
final class PackageMaker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PackageMaker.class);
    /** An id containing sim_bytes123 makes a file of 123 bytes (benchmarks ask for their package size so). */
    private static final Pattern SIZE_HINT = Pattern.compile("sim_bytes(\\d+)");

    /** Files and sizes → the package made of them. */
    private final Map<String, Path> made = new ConcurrentHashMap<>();
    /** Bytes of each file not from the catalogue. */
    volatile long itemBytes = 256 * 1024;
    volatile int resultsPerJob = 1;
    private Path dir;
    private ExecutorService threads;

    void start() throws IOException {
        dir = Files.createTempDirectory("soar-simulator-");
        threads = Executors.newFixedThreadPool(2, r -> SoarSimulator.daemon(r, "simulator-packager"));
    }

    /** A job's packages by result id, once made. */
    CompletableFuture<Map<String, Path>> make(String jobId, List<JobFile> files) {
        return CompletableFuture.supplyAsync(() -> packages(jobId, files), threads);
    }

    private Map<String, Path> packages(String jobId, List<JobFile> files) {
        int n = Math.min(resultsPerJob, files.size());
        Map<String, Path> out = new LinkedHashMap<>();
        long base = Long.parseLong(jobId.replace("OPE", ""));
        for (int k = 0; k < n; k++) {
            List<JobFile> part = new ArrayList<>();
            for (int i = k; i < files.size(); i += n) {
                part.add(files.get(i));
            }
            String resultId = "hmiddlet" + (base + 35 + k);
            // files not from the catalogue: itemBytes each, or the size hinted in their names
            Matcher hint = SIZE_HINT.matcher(String.join(",",
                    part.stream().filter(f -> f.archivedSize() == null).map(JobFile::name).toList()));
            long bytes = hint.find() ? Long.parseLong(hint.group(1)) : itemBytes;
            List<SimulatedPackage.Entry> entries = part.stream()
                    .map(f -> new SimulatedPackage.Entry(f.name(), f.archivedSize() == null ? bytes : f.archivedSize()))
                    .toList();
            String cacheKey = String.join(",", entries.stream().map(e -> e.name() + "|" + e.size()).toList());
            out.put(resultId, made.computeIfAbsent(cacheKey, key -> write(dir.resolve(jobId + "-" + resultId + ".tar.gz"), entries)));
        }
        return out;
    }

    private static Path write(Path file, List<SimulatedPackage.Entry> entries) {
        try (OutputStream os = Files.newOutputStream(file)) {
            SimulatedPackage.write(entries, os);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops making packages and deletes those made. */
    @Override
    public void close() {
        threads.shutdownNow();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("Cannot clean {}", dir, e);
        }
    }
}
