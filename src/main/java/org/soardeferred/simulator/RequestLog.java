package org.soardeferred.simulator;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.soardeferred.simulator.SoarSimulator.SeenRequest;

/** The requests the simulator saw, on both listeners, in order: for tests to inspect and count. */
final class RequestLog {

    private final List<SeenRequest> seen = new CopyOnWriteArrayList<>();

    void add(SeenRequest request) {
        seen.add(request);
    }

    List<SeenRequest> all() {
        return List.copyOf(seen);
    }

    long count(String method, String pathPart) {
        return seen.stream().filter(r -> r.method().equals(method) && r.path().contains(pathPart)).count();
    }

    /** DEFERRED requests, {@code /data}. */
    long submits() {
        return seen.stream().filter(r -> r.path().endsWith("/data")).count();
    }

    long logins() {
        return count("POST", "/login");
    }

    /** GETs of job documents (under {@code /tap/async/}, not results). */
    long polls() {
        return count("GET", "/tap/async/") - count("GET", "/results/");
    }

    long downloads() {
        return count("GET", "/results/");
    }
}
