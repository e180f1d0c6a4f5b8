package org.soardeferred.simulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The UWS jobs SOAR holds, and the phase each is in as time passes: QUEUED, then EXECUTING (at least until its
 * packages are made), then how it ends. Files (or a query) naming {@code sim_error} end in ERROR, {@code sim_abort}
 * in ABORTED.
 */
final class SimJobs {

    private final Map<String, SimJob> jobs = new ConcurrentHashMap<>();
    private final AtomicLong jobCounter = new AtomicLong(System.currentTimeMillis());
    private final PackageMaker packages;
    private final Faults faults;
    volatile long queuedMillis = 300;
    volatile long executingMillis = 700;

    SimJobs(PackageMaker packages, Faults faults) {
        this.packages = packages;
        this.faults = faults;
    }

    /** A new job of {@code owner}'s, asked with these parameters, packing these files. */
    SimJob create(Map<String, String> p, String owner, List<JobFile> files, String query, long createdMillis) {
        List<String> names = files.stream().map(JobFile::name).toList();
        String all = String.join(",", names) + (query == null ? "" : query);
        JobPhase outcome = all.contains("sim_error") ? JobPhase.ERROR : all.contains("sim_abort") ? JobPhase.ABORTED : JobPhase.COMPLETED;
        String id = jobCounter.incrementAndGet() + "OPE";
        CompletableFuture<Map<String, Path>> made = outcome == JobPhase.COMPLETED
                ? packages.make(id, files)
                : CompletableFuture.completedFuture(Map.of());
        SimJob job = new SimJob(id, owner, p, names, createdMillis, outcome,
                outcome == JobPhase.ERROR ? "Simulated failure: the package for " + names.get(0) + " could not be assembled" : null,
                made);
        if (faults.holdPending) {
            job.pendingSince = job.createdMillis;
        }
        jobs.put(id, job);
        return job;
    }

    /** The job of this id, or null (never made, or deleted). */
    SimJob get(String id) {
        return jobs.get(id);
    }

    /** A user's jobs, newest first. */
    List<SimJob> ownedBy(String owner) {
        return jobs.values().stream().filter(j -> j.owner.equals(owner))
                .sorted(Comparator.comparing((SimJob j) -> j.id).reversed()).toList();
    }

    List<String> ids() {
        return new ArrayList<>(jobs.keySet());
    }

    int size() {
        return jobs.size();
    }

    /** Deletes every job. */
    void clear() {
        jobs.clear();
    }

    /** The phase now: PENDING until run, QUEUED, then EXECUTING (at least until the package is made), then the outcome. */
    JobPhase phase(SimJob job) {
        if (job.abortedAt != null) {
            return JobPhase.ABORTED;
        }
        if (job.pendingSince >= 0) {
            return JobPhase.PENDING;
        }
        long age = System.currentTimeMillis() - job.createdMillis;
        if (age < queuedMillis) {
            return JobPhase.QUEUED;
        }
        if (age < queuedMillis + executingMillis || !job.packages.isDone()) {
            return JobPhase.EXECUTING;
        }
        return job.packages.isCompletedExceptionally() ? JobPhase.ERROR : job.outcome;
    }

    /**
     * UWS 1.1 blocking poll: waits up to {@code WAIT} seconds (at most 60; negative: 60) while the job is still in
     * {@code PHASE} (default: the current one) and not final. Returns the phase then.
     */
    JobPhase waitForChange(SimJob job, JobPhase current, Map<String, String> p) {
        long waitSeconds;
        try {
            waitSeconds = Long.parseLong(p.get("wait"));
        } catch (NumberFormatException e) {
            return current;
        }
        JobPhase from = p.containsKey("phase") ? JobPhase.named(p.get("phase")) : current;
        long deadline = System.currentTimeMillis() + (waitSeconds < 0 ? 60_000 : Math.min(waitSeconds, 60) * 1000);
        JobPhase now = current;
        while (now == from && !now.isFinal() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = phase(job);
        }
        return now;
    }

    /** A posted {@code PHASE}: ABORT stops a job not yet final; RUN starts a PENDING one. */
    void changePhase(SimJob job, String requested) {
        if ("ABORT".equals(requested) && !phase(job).isFinal()) {
            job.abortedAt = JobPhase.ABORTED;
        } else if ("RUN".equals(requested) && job.pendingSince >= 0) {
            job.createdMillis = System.currentTimeMillis();
            job.pendingSince = -1;
        }
    }

    /** A completed job's package by its result id; null before the job completes or for another id. */
    Path result(SimJob job, String resultId) {
        return phase(job) == JobPhase.COMPLETED ? job.packages.join().get(resultId) : null;
    }

    /** The sha256 of each package (by result id) of a job. */
    Map<String, String> sha256(String jobId) {
        Map<String, String> out = new LinkedHashMap<>();
        jobs.get(jobId).packages.join().forEach((id, path) -> out.put(id, Sha256Hex.of(path)));
        return out;
    }
}
