package org.soardeferred.simulator;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A job the simulator holds: what was asked, when, how it ends, and its packages once made. */
final class SimJob {
    final String id;
    final String owner;
    final Map<String, String> parameters;
    final List<String> fileNames;
    volatile long createdMillis;
    /** When the job was created PENDING (it waits for PHASE=RUN), or -1. */
    volatile long pendingSince = -1;
    /** The phase the job ends in: COMPLETED, ERROR or ABORTED. */
    final JobPhase outcome;
    final String errorMessage;
    /** result id → package file, ready when the future completes. */
    final CompletableFuture<Map<String, Path>> packages;
    volatile JobPhase abortedAt;

    SimJob(String id, String owner, Map<String, String> parameters, List<String> fileNames, long createdMillis,
           JobPhase outcome, String errorMessage, CompletableFuture<Map<String, Path>> packages) {
        this.id = id;
        this.owner = owner;
        this.parameters = parameters;
        this.fileNames = fileNames;
        this.createdMillis = createdMillis;
        this.outcome = outcome;
        this.errorMessage = errorMessage;
        this.packages = packages;
    }
}
