package org.soardeferred;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.main.Main;
import org.soardeferred.simulator.SoarSimulator;

/**
 * Starts the service: Camel Main with the YAML routes of {@code routes/} and the configuration of
 * {@code config/application.properties}. {@code --demo} (or {@code SOAR_DEMO=true}) first starts the built-in
 * SOAR simulator on a free port and points the service at it with demo credentials.
 */
public final class SoarDeferred {

    private SoarDeferred() {
    }

    public static void main(String[] args) throws Exception {
        List<String> camelArgs = new ArrayList<>();
        boolean demo = "true".equalsIgnoreCase(System.getenv("SOAR_DEMO")) || Boolean.getBoolean("soar.demo");
        for (String arg : args) {
            if (arg.equals("--demo")) {
                demo = true;
            } else {
                camelArgs.add(arg);
            }
        }
        Main main = newMain();
        SoarSimulator simulator = null;
        if (demo) {
            simulator = startDemoSimulator(main);
        }
        try {
            main.run(camelArgs.toArray(String[]::new));
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
        main.configure().addConfiguration(SoarConfiguration.class);
        return main;
    }

    private static SoarSimulator startDemoSimulator(Main main) {
        long itemBytes = Long.parseLong(System.getenv().getOrDefault("SOAR_SIMULATOR_ITEM_BYTES",
                System.getProperty("soar.simulator.item-bytes", String.valueOf(1024 * 1024))));
        SoarSimulator simulator = new SoarSimulator().user("demo", "demo").itemBytes(itemBytes)
                .timing(2000, 4000).start(0);
        main.addOverrideProperty("soar.base-url", simulator.baseUrl());
        main.addOverrideProperty("soar.username", "demo");
        main.addOverrideProperty("soar.password", "demo");
        main.addOverrideProperty("soar.poll.delay", "1s");
        main.addOverrideProperty("soar.poll.max-delay", "3s");
        System.out.printf("%n  Demo mode: a built-in SOAR simulator runs at %s (user 'demo').%n"
                + "  Drop a query file into the inbox, for example:%n"
                + "      echo solo_L2_epd-ept-north-rates_20200820 > inbox/demo.ids%n"
                + "  and find downloads/demo.tar.gz and downloads/demo.json a few seconds later.%n"
                + "  Ids containing 'sim_error' or 'sim_abort' show a failed job. Stop with Ctrl-C.%n%n",
                simulator.baseUrl());
        return simulator;
    }
}
