package org.soardeferred.config;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.LifecycleStrategySupport;
import org.soardeferred.common.Durations;
import org.soardeferred.observe.JobEvents;
import org.soardeferred.observe.JobLog;
import org.soardeferred.observe.NativeMemory;
import org.soardeferred.observe.SoarHealth;
import org.soardeferred.observe.SoarMetrics;
import org.soardeferred.store.JobStore;
import org.soardeferred.transfer.Outboxes;
import org.soardeferred.transfer.ResultDownload;

/**
 * What the service tells about itself: {@code soarMetrics} and {@code jobLog}; each job transition becomes an event
 * (soar.events.uri) and metrics; retries are counted; the health checks the other configurations bind
 * ({@code jobStoreCheck}, {@code soarCheck}) join Camel's health registry (when soar.management.enabled). And
 * {@code nativeMemory}, the trim of the native heap (soar.memory.trim).
 */
public class ObserveConfiguration implements CamelConfiguration {

    @PropertyInject(value = "soar.memory.trim", defaultValue = "true")
    String trim;
    @PropertyInject(value = "soar.memory.trim-interval", defaultValue = "1s")
    String trimInterval;

    @BindToRegistry
    public SoarMetrics soarMetrics(CamelContext context, JobStore store) {
        return new SoarMetrics(context, store);
    }

    @BindToRegistry
    public JobLog jobLog() {
        return new JobLog();
    }

    /** The trim of the native heap, every soar.memory.trim-interval while the context runs (soar.memory.trim). */
    @BindToRegistry
    public NativeMemory nativeMemory() {
        return new NativeMemory();
    }

    @Override
    public void configure(CamelContext context) {
        JobStore store = context.getRegistry().findSingleByType(JobStore.class);
        SoarMetrics metrics = context.getRegistry().findSingleByType(SoarMetrics.class);
        ResultDownload downloads = context.getRegistry().findSingleByType(ResultDownload.class);
        // job transitions become events and metrics; a finished job's transfer is forgotten
        JobEvents events = new JobEvents(context, metrics, context.getRegistry().findSingleByType(Outboxes.class));
        store.onChange(events::changed);
        store.onChange(job -> {
            if (job.status.isFinished()) {
                downloads.forget(job.id);
            }
        });
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeRedeliveryEvent e) {
                    metrics.retried(e.getExchange().getFromRouteId());
                }
            }
        });
        registerHealthChecks(context);
        if (Settings.flag(trim)) {
            NativeMemory memory = context.getRegistry().findSingleByType(NativeMemory.class);
            memory.start(Durations.parse("soar.memory.trim-interval", trimInterval));
            context.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStopped(CamelContext c) {
                    memory.stop();
                }
            });
        }
    }

    private static void registerHealthChecks(CamelContext context) {
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        for (String name : new String[] {"jobStoreCheck", "soarCheck"}) {
            AbstractHealthCheck check = context.getRegistry().lookupByNameAndType(name, AbstractHealthCheck.class);
            check.setCamelContext(context);
            if (health != null) {
                health.register(check);
            }
        }
        if (health != null) {
            try {
                context.addStartupListener((c, alreadyStarted) -> SoarHealth.excludeRoutesOffByConfiguration(c));
            } catch (Exception e) {
                throw new IllegalStateException("The health checks cannot be set up: " + e.getMessage(), e);
            }
        }
    }
}
