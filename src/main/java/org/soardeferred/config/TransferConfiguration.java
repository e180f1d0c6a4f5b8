package org.soardeferred.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.LifecycleStrategySupport;
import org.soardeferred.common.Durations;
import org.soardeferred.mirror.MirrorDefinition;
import org.soardeferred.mirror.Mirrors;
import org.soardeferred.observe.SoarMetrics;
import org.soardeferred.soar.SoarSession;
import org.soardeferred.soar.SoarUrls;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.PendingAborts;
import org.soardeferred.transfer.AbandonedUploads;
import org.soardeferred.transfer.HostConnections;
import org.soardeferred.transfer.Outbox;
import org.soardeferred.transfer.Outboxes;
import org.soardeferred.transfer.PieceFetcher;
import org.soardeferred.transfer.ResultDownload;
import org.soardeferred.transfer.S3Target;

/**
 * Where packages go and how they are fetched: {@code outboxes} (the service's own target, soar.target or the
 * soar.outbox folder; the targets a request may name, soar.targets.allowed; the mirrors' targets),
 * {@code resultDownload} (segmented downloads, soar.fetch.*) and {@code abandonedUploads} (soar.s3.orphan-*).
 * The S3 client these targets use is set up by {@link S3Configuration}.
 */
public class TransferConfiguration implements CamelConfiguration {

    @PropertyInject(value = "soar.target", defaultValue = "")
    String target;
    @PropertyInject(value = "soar.targets.allowed", defaultValue = "")
    String allowedTargets;
    @PropertyInject("soar.outbox")
    String outbox;
    @PropertyInject("soar.s3.part-size")
    String partSize;
    @PropertyInject("soar.s3.copy-part-size")
    String copyPartSize;
    @PropertyInject(value = "soar.s3.parts-in-flight", defaultValue = "2")
    String partsInFlight;
    @PropertyInject(value = "soar.fetch.connections", defaultValue = "4")
    String connections;
    @PropertyInject(value = "soar.fetch.max-connections-per-host", defaultValue = "8")
    String connectionsPerHost;
    @PropertyInject(value = "soar.fetch.piece-size", defaultValue = "16MB")
    String pieceSize;
    @PropertyInject(value = "soar.fetch.ramp-window", defaultValue = "500ms")
    String rampWindow;
    @PropertyInject(value = "soar.fetch.enough-rate", defaultValue = "100MB")
    String enoughRate;
    @PropertyInject(value = "camel.component.http.connect-timeout", defaultValue = "30000")
    String connectTimeout;
    @PropertyInject(value = "camel.component.http.so-timeout", defaultValue = "300000")
    String readTimeout;

    @BindToRegistry
    public Outboxes outboxes(CamelContext context, PendingAborts pendingAborts,
                             @BeanInject("mirrorDefinitions") Map<String, MirrorDefinition> mirrorDefinitions) {
        String own = target.strip();
        Set<String> allowed = new LinkedHashSet<>();
        for (String t : allowedTargets.split(",")) {
            if (!t.isBlank()) {
                allowed.add(t.strip());
            }
        }
        List<String> mirrorTargets = Mirrors.targets(mirrorDefinitions.values());
        Function<String, Outbox> make = t -> {
            if (t.startsWith("s3://")) {
                return new Outbox(new S3Target(context, t, s3PartSize(), Durations.parseSize("soar.s3.copy-part-size", copyPartSize),
                        Settings.integer(partsInFlight), pendingAborts));
            }
            if (t.contains("://")) {
                throw new IllegalArgumentException("the target '" + t + "' is not supported: give s3://BUCKET/PREFIX or a folder");
            }
            return new Outbox(Path.of(t));
        };
        if (own.contains("://") && !own.startsWith("s3://")) {
            throw new IllegalArgumentException("soar.target '" + own + "' is not supported: leave it empty for the "
                    + "outbox folder (soar.outbox), or give s3://BUCKET/PREFIX");
        }
        Outbox standard = make.apply(own.isEmpty() ? outbox : own);
        allowed.forEach(make::apply); // a wrong one is reported at start-up, not when a request names it
        mirrorTargets.forEach(make::apply);
        return new Outboxes(standard, allowed, new HashSet<>(mirrorTargets), make);
    }

    @BindToRegistry
    public ResultDownload resultDownload(CamelContext context, Outboxes outboxes, JobStore store, SoarUrls urls,
                                         SoarSession session, SoarMetrics metrics,
                                         @PropertyInject("soar.progress.interval") String progressInterval,
                                         @PropertyInject(value = "soar.result.allowed-hosts", defaultValue = "") String resultHosts) {
        ResultDownload.Segments segments = segments(context, session);
        metrics.connections(segments.hosts()::inUse);
        return new ResultDownload(outboxes, store, urls, Durations.parse("soar.progress.interval", progressInterval),
                Settings.hosts(resultHosts), metrics, segments);
    }

    @BindToRegistry
    public AbandonedUploads abandonedUploads(Outboxes outboxes, JobStore store,
                                             @PropertyInject("soar.s3.orphan-age") String orphanAge) {
        return new AbandonedUploads(outboxes, store, Durations.parse("soar.s3.orphan-age", orphanAge));
    }

    private long s3PartSize() {
        long size = Durations.parseSize("soar.s3.part-size", partSize);
        if (size > (1L << 30)) {
            throw new IllegalArgumentException("soar.s3.part-size must be at most 1GB (a part is held in memory while it is sent)");
        }
        return size;
    }

    /**
     * Segmented downloads: soar.fetch.connections per result, in pieces of soar.fetch.piece-size, never more than
     * soar.fetch.max-connections-per-host to one host across all downloads; the extra connections share SOAR's
     * cookie store (which gives the session to SOAR's host only); a download opens its connections one at a time
     * while each raises the rate, each count measured for soar.fetch.ramp-window, and none more once it runs at
     * soar.fetch.enough-rate.
     */
    private ResultDownload.Segments segments(CamelContext context, SoarSession session) {
        int perResult = Settings.integer(connections);
        int perHost = Settings.integer(connectionsPerHost);
        long piece = Durations.parseSize("soar.fetch.piece-size", pieceSize);
        if (perResult < 1 || piece < 64 * 1024) {
            throw new IllegalArgumentException("soar.fetch.connections must be at least 1 (is " + perResult
                    + ") and soar.fetch.piece-size at least 64KB (is " + piece + ")");
        }
        PieceFetcher fetcher = new PieceFetcher(session.cookieStore(), perHost,
                Duration.ofMillis(Long.parseLong(connectTimeout.strip())), Duration.ofMillis(Long.parseLong(readTimeout.strip())),
                Settings.userAgent());
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "soar-piece-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext c) {
                threads.shutdownNow();
                fetcher.close();
            }
        });
        return new ResultDownload.Segments(perResult, piece, new HostConnections(perHost), fetcher, threads,
                Durations.parse("soar.fetch.ramp-window", rampWindow), Durations.parseSize("soar.fetch.enough-rate", enoughRate));
    }
}
