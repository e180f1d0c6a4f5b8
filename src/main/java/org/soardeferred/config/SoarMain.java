package org.soardeferred.config;

import org.apache.camel.main.Main;
import org.soardeferred.simulator.SoarSimulator;

/**
 * The service as Camel Main runs it: the configuration classes of this package in their order, the routes, and the
 * options of {@code serve} ({@code --demo}: the built-in simulator; {@code --dev}: routes read from disk).
 */
public final class SoarMain {

    private SoarMain() {
    }

    /** Runs the service until it is stopped (Ctrl-C, SIGTERM). */
    public static void serve(boolean demo, boolean dev) throws Exception {
        demo = demo || "true".equalsIgnoreCase(System.getenv("SOAR_DEMO")) || Boolean.getBoolean("soar.demo");
        dev = dev || "true".equalsIgnoreCase(System.getenv("SOAR_DEV")) || Boolean.getBoolean("soar.dev");
        Main main = newMain();
        if (dev) {
            development(main);
        }
        SoarSimulator simulator = demo ? startDemoSimulator(main, true) : null;
        try {
            main.run();
        } finally {
            if (simulator != null) {
                simulator.close();
            }
        }
    }

    /** Camel Main as the service runs it: configuration, routes and beans. */
    public static Main newMain() {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(
                "classpath:config/application.properties,file:config/application.properties;optional=true");
        // the beans the routes call, by concern; each configuration may use the beans of those before it
        main.configure().addConfiguration(StoreConfiguration.class);
        main.configure().addConfiguration(ObserveConfiguration.class);
        main.configure().addConfiguration(SoarLinkConfiguration.class);
        main.configure().addConfiguration(MirrorConfiguration.class);
        main.configure().addConfiguration(TransferConfiguration.class);
        main.configure().addConfiguration(S3Configuration.class);
        main.configure().addConfiguration(BusConfiguration.class);
        main.configure().addConfiguration(InboxConfiguration.class);
        main.configure().addConfiguration(ApiConfiguration.class);
        main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
            @Override
            public void beforeConfigure(org.apache.camel.main.BaseMainSupport m) {
                // the API answers 503 (not 404) until its routes are up
                m.getCamelContext().addLifecycleStrategy(new org.soardeferred.api.StartingGate());
                // the REST DSL's own route for the OpenAPI document is switched like the API's routes (soar.http.enabled)
                m.getCamelContext().getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                        .addModelLifecycleStrategy(new org.soardeferred.api.ApiDocumentRoute());
            }
        });
        return main;
    }

    /**
     * Development ({@code --dev}, {@code SOAR_DEV=true}): the routes are read from {@code routes/} in the working
     * folder instead of the jar's copies, and a route file saved there is loaded again while the service runs (its
     * routes replaced by id; a change to a routeConfiguration or to the REST definitions needs a restart).
     */
    static void development(Main main) {
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/*.camel.yaml");
        main.addOverrideProperty("camel.main.routes-reload-enabled", "true");
        main.addOverrideProperty("camel.main.routes-reload-directory", "routes");
        main.addOverrideProperty("camel.main.routes-reload-pattern", "*.camel.yaml");
        main.addOverrideProperty("camel.main.routes-reload-remove-all-routes", "false");
    }

    /** Starts the built-in SOAR simulator and points the service at it, with the demo user. */
    public static SoarSimulator startDemoSimulator(Main main, boolean explain) {
        long itemBytes = Long.parseLong(System.getenv().getOrDefault("SOAR_SIMULATOR_ITEM_BYTES",
                System.getProperty("soar.simulator.item-bytes", String.valueOf(1024 * 1024))));
        SoarSimulator simulator = new SoarSimulator().user("demo", "demo").itemBytes(itemBytes)
                .timing(2000, 4000).start(0);
        // an archive to mirror: a week of MAG and SWA files (try a mirror: config/mirrors.example.yaml)
        for (int day = 1; day <= 7; day++) {
            String date = "2024020" + day;
            String archived = "2024-02-0" + (day + 1) + "T09:0" + day + ":00.000";
            simulator.archive(org.soardeferred.simulator.ArchivedFile.of("solo_L2_mag-rtn-normal_" + date, "V01", itemBytes, archived),
                    org.soardeferred.simulator.ArchivedFile.of("solo_L2_swa-pas-grnd-mom_" + date, "V02", itemBytes / 2, archived),
                    org.soardeferred.simulator.ArchivedFile.of("solo_LL02_mag_" + date + "T000000-" + date + "T235959", "V01",
                            itemBytes / 4, archived));
        }
        main.addOverrideProperty("soar.base-url", simulator.baseUrl());
        main.addOverrideProperty("soar.username", "demo");
        main.addOverrideProperty("soar.password", "demo");
        main.addOverrideProperty("soar.poll.delay", "1s");
        main.addOverrideProperty("soar.poll.max-delay", "3s");
        if (explain) {
            System.out.printf("%n  Demo mode: a built-in SOAR simulator runs at %s (user 'demo').%n"
                    + "  Drop a query file into the inbox, for example:%n"
                    + "      echo solo_L2_epd-ept-north-rates_20200820 > inbox/demo.ids%n"
                    + "  and find downloads/demo.tar.gz and downloads/demo.json a few seconds later.%n"
                    + "  Ids containing 'sim_error' or 'sim_abort' show a failed job. Its archive lists a week of MAG and%n"
                    + "  SWA files for mirrors (config/mirrors.yaml). Stop with Ctrl-C.%n%n",
                    simulator.baseUrl());
        }
        return simulator;
    }
}
