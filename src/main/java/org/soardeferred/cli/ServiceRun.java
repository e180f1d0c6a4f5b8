package org.soardeferred.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.soardeferred.config.SoarMain;
import org.soardeferred.simulator.SoarSimulator;
import org.soardeferred.store.JobStore;
import org.soardeferred.transfer.Outboxes;

/**
 * The service as the command line runs it: the same Camel Main, routes and configuration as {@code serve},
 * with some settings overridden (no inbox for fetch and resume, another outbox, the demo simulator).
 */
final class ServiceRun implements AutoCloseable {

    private final Main main;
    private final SoarSimulator simulator;

    private ServiceRun(Main main, SoarSimulator simulator) {
        this.main = main;
        this.simulator = simulator;
    }

    static ServiceRun start(Map<String, String> overrides, boolean demo) {
        Main main = SoarMain.newMain();
        SoarSimulator simulator = demo ? SoarMain.startDemoSimulator(main, false) : null;
        Map<String, String> p = new LinkedHashMap<>(overrides);
        p.putIfAbsent("camel.main.shutdown-timeout", "3");
        // a command line run serves no API and no probes (a service may hold those ports)
        p.putIfAbsent("soar.http.enabled", "false");
        p.putIfAbsent("soar.management.enabled", "false");
        p.forEach(main::addOverrideProperty);
        main.start();
        return new ServiceRun(main, simulator);
    }

    JobStore store() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("jobStore", JobStore.class);
    }

    ProducerTemplate template() {
        return main.getCamelContext().createProducerTemplate();
    }

    /** Where packages go: the outbox folder or the S3 target, per job. */
    Outboxes outboxes() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("outboxes", Outboxes.class);
    }

    /** The downloads under way in this process (bytes stored, rate, connections). */
    org.soardeferred.transfer.ResultDownload downloads() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("resultDownload", org.soardeferred.transfer.ResultDownload.class);
    }

    @Override
    public void close() {
        main.stop();
        if (simulator != null) {
            simulator.close();
        }
    }
}
