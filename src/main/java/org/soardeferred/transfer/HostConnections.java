package org.soardeferred.transfer;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ceiling on download connections to one host across all downloads (soar.fetch.max-connections-per-host):
 * every connection a download opens holds a permit of its host while it is open, so 4 jobs at once do not open
 * 16 connections to SOAR. A download's first connection waits for its permit; the extra ones of a segmented
 * download take one only when it is free.
 */
public final class HostConnections {

    private final int perHost;
    private final Map<String, Semaphore> hosts = new ConcurrentHashMap<>();

    public HostConnections(int perHost) {
        if (perHost < 1) {
            throw new IllegalArgumentException("soar.fetch.max-connections-per-host must be at least 1, not " + perHost);
        }
        this.perHost = perHost;
    }

    public int perHost() {
        return perHost;
    }

    /** Waits for a connection to the host. */
    public Permit acquire(String host) throws InterruptedException {
        Semaphore s = of(host);
        s.acquire();
        return new Permit(s);
    }

    /** A connection to the host if one is free now, else null. */
    public Permit tryAcquire(String host) {
        Semaphore s = of(host);
        return s.tryAcquire() ? new Permit(s) : null;
    }

    /** Connections to the host open now (for tests and metrics). */
    public int inUse(String host) {
        return perHost - of(host).availablePermits();
    }

    /** Connections open now to every host. */
    public int inUse() {
        return hosts.values().stream().mapToInt(s -> perHost - s.availablePermits()).sum();
    }

    private Semaphore of(String host) {
        return hosts.computeIfAbsent(host == null ? "" : host.toLowerCase(Locale.ROOT), h -> new Semaphore(perHost, true));
    }

    /** One open connection's place; closing it again does nothing. */
    public static final class Permit implements AutoCloseable {
        private final Semaphore semaphore;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(Semaphore semaphore) {
            this.semaphore = semaphore;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                semaphore.release();
            }
        }
    }
}
