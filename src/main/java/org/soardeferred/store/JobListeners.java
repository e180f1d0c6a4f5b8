package org.soardeferred.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Who is told of every job once it is stored (events, metrics); one that fails does not stop the others. */
final class JobListeners {

    private static final Logger LOG = LoggerFactory.getLogger(JobListeners.class);

    private final List<Consumer<JobRecord>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<JobRecord> listener) {
        listeners.add(listener);
    }

    void changed(JobRecord job) {
        for (var l : listeners) {
            try {
                l.accept(job);
            } catch (RuntimeException e) {
                LOG.warn("{}: a listener of the job store failed: {}", job, e.toString());
            }
        }
    }
}
