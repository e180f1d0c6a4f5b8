package org.soardeferred.config;

import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.Durations;
import org.soardeferred.mirror.MirrorDefinition;
import org.soardeferred.mirror.MirrorDefinitions;
import org.soardeferred.mirror.MirrorStore;
import org.soardeferred.mirror.Mirrors;
import org.soardeferred.mirror.TapReplies;
import org.soardeferred.store.JobStore;
import org.soardeferred.transfer.Outboxes;

/**
 * The mirrors of soar.mirrors ({@code mirrorDefinitions}, {@code mirrors}, {@code tapReplies}) and their schedules:
 * one Quartz route per scheduled mirror, from the mirror-schedule template of routes/mirror.camel.yaml, added once
 * the routes are loaded. The definitions come first, as the targets they name are among the outboxes; the
 * {@code mirrors} bean, which delivers to the outboxes, is made when first looked up.
 */
public class MirrorConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorConfiguration.class);

    @BindToRegistry
    public Map<String, MirrorDefinition> mirrorDefinitions(@PropertyInject(value = "soar.mirrors", defaultValue = "config/mirrors.yaml")
                                                           String file) {
        return MirrorDefinitions.load(Path.of(file));
    }

    @BindToRegistry(lazy = true)
    public Mirrors mirrors(@BeanInject("mirrorDefinitions") Map<String, MirrorDefinition> definitions, MirrorStore index,
                           JobStore jobs, Outboxes outboxes,
                           @PropertyInject("soar.mirror.overlap") String overlap,
                           @PropertyInject("soar.mirror.page-size") String pageSize) {
        return new Mirrors(definitions, index, jobs, outboxes, jobs.node(),
                Durations.parse("soar.mirror.overlap", overlap), Settings.integer(pageSize));
    }

    @BindToRegistry
    public TapReplies tapReplies() {
        return new TapReplies();
    }

    @Override
    public void configure(CamelContext context) {
        try {
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext c, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext c, boolean alreadyStarted) throws Exception {
                    schedule(c, c.getRegistry().lookupByNameAndType("mirrors", Mirrors.class));
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("The mirrors cannot be scheduled: " + e.getMessage(), e);
        }
    }

    private static void schedule(CamelContext context, Mirrors mirrors) throws Exception {
        for (MirrorDefinition d : mirrors.definitions()) {
            if (d.schedule() == null) {
                LOG.info("Mirror {}: no schedule; it runs when asked", d.name());
                continue;
            }
            context.addRouteFromTemplate("mirror-" + d.name(), "mirror-schedule",
                    Map.of("mirror", d.name(), "cron", d.schedule().replace(' ', '+')));
            LOG.info("Mirror {}: scheduled at '{}' to {}", d.name(), d.schedule(),
                    d.target() == null ? "the service's target" : d.target() + (d.extract() ? " (unpacked)" : ""));
        }
    }
}
