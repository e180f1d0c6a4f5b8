package org.soardeferred.observe;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the native memory that the C library's allocator holds free back to the system. The JVM takes native memory
 * in bursts and frees it again (the JIT compilers above all: a large method's compilation takes several MB for a
 * moment; class loading and the garbage collector too), and glibc's malloc keeps most of what is freed in its arenas,
 * one per thread that needed one, so without a trim the process's RSS stays near the sum of its past bursts. The
 * trim is the JVM's own {@code System.trim_native_heap} diagnostic command (glibc's {@code malloc_trim}, well under a
 * millisecond), called every soar.memory.trim-interval by a thread of its own, as {@code -XX:TrimNativeHeapInterval}
 * would, so that every way of running the service gets it. Where the JVM has no such command (an older JDK, or a C
 * library other than glibc), the first trim logs so and the thread ends.
 */
public final class NativeMemory {

    private static final Logger LOG = LoggerFactory.getLogger(NativeMemory.class);
    static final String COMMAND = "systemTrimNativeHeap";
    private static final String[] SIGNATURE = {String[].class.getName()};

    private final MBeanServer server;
    private final ObjectName diagnosticCommand;
    private volatile boolean available = true;
    private final AtomicLong trims = new AtomicLong();
    private ScheduledExecutorService timer;

    /** Through the platform's MBean server (created at the first trim when nothing created it before). */
    public NativeMemory() {
        this(null);
    }

    NativeMemory(MBeanServer server) {
        this.server = server;
        try {
            this.diagnosticCommand = new ObjectName("com.sun.management:type=DiagnosticCommand");
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trims every {@code interval} from now on, in a daemon thread, until {@link #stop()}. */
    public synchronized void start(Duration interval) {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "native-memory-trim");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        timer.scheduleAtFixedRate(() -> {
            if (trim() == null) {
                stop();
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    /** Whether the trims every interval are on. */
    public synchronized boolean running() {
        return timer != null;
    }

    /**
     * Trims the native heap; returns what the JVM says of it (e.g. {@code Trim native heap: RSS+Swap: 298M->285M
     * (-12796K)}), or null when it cannot.
     */
    public String trim() {
        if (!available) {
            return null;
        }
        try {
            MBeanServer s = server != null ? server : ManagementFactory.getPlatformMBeanServer();
            Object said = s.invoke(diagnosticCommand, COMMAND, new Object[] {null}, SIGNATURE);
            String result = said == null ? "" : said.toString().strip();
            if (!result.startsWith("Trim native heap")) {
                unavailable(result);
                return null;
            }
            trims.incrementAndGet();
            LOG.trace("{}", result);
            return result;
        } catch (JMException | RuntimeException e) {
            unavailable(e.toString());
            return null;
        }
    }

    /** False once the JVM said it cannot trim. */
    public boolean available() {
        return available;
    }

    /** How many trims were done. */
    public long trims() {
        return trims.get();
    }

    private void unavailable(String why) {
        available = false;
        LOG.info("This JVM cannot trim its native heap ({}): soar.memory.trim has no effect", why);
    }
}
