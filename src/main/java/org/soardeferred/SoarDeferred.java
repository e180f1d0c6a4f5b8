package org.soardeferred;

import org.soardeferred.cli.SoarCommand;

/**
 * Entry point. {@code serve} (the default) runs the service: Camel Main with the YAML routes of {@code routes/}
 * and the configuration of {@code config/application.properties} (see {@link org.soardeferred.config.SoarMain});
 * {@code fetch}, {@code jobs} and {@code resume} are the command line (see {@link SoarCommand}). {@code --demo} (or
 * {@code SOAR_DEMO=true}) first starts the built-in SOAR simulator on a free port and points the service at it with
 * demo credentials.
 */
public final class SoarDeferred {

    private SoarDeferred() {
    }

    public static void main(String[] args) {
        int code = SoarCommand.execute(args);
        if (code != 0) {
            System.exit(code);
        }
        // serve returns only when Camel Main has stopped; fetch/jobs/resume stop it themselves
        System.exit(0);
    }
}
