package org.soardeferred.api;

import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * The API's port opens before Camel has started the routes that answer on it; in between, every path would be a
 * {@code 404}, and a client that starts at once would read "not found". This puts a handler in front of every path of
 * Camel Main's HTTP server before the server opens its port (through the server's authentication hook, the only one
 * Camel runs before it listens): until the CamelContext has started, and again once it stops, every request is
 * answered {@code 503} with {@code Retry-After: 1} and a JSON reason; then requests pass on to the routes.
 */
public final class StartingGate extends LifecycleStrategySupport {

    static final String BODY = "{\"status\":503,\"error\":\"the service is not ready (starting or stopping); try again in a moment\"}";

    @Override
    public void onServiceAdd(CamelContext context, Service service, Route route) {
        if (service instanceof MainHttpServer server) {
            install(context, server.getConfiguration().getAuthenticationConfig());
        }
    }

    static void install(CamelContext context, AuthenticationConfig config) {
        Gate gate = new Gate(context);
        AuthenticationConfig.AuthenticationConfigEntry entry = new AuthenticationConfig.AuthenticationConfigEntry();
        entry.setPath("/*");
        entry.setAuthenticationProviderFactory(vertx -> null);
        entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
            @Override
            public <T extends AuthenticationProvider> AuthenticationHandler createAuthenticationHandler(T provider) {
                return gate;
            }
        });
        config.getEntries().add(entry);
        config.setEnabled(true);
    }

    /** Not an authentication: it only holds requests back while the routes are not there. */
    static final class Gate implements AuthenticationHandler {
        private final CamelContext context;

        Gate(CamelContext context) {
            this.context = context;
        }

        @Override
        public void handle(RoutingContext ctx) {
            if (context.isStarted()) {
                ctx.next();
                return;
            }
            ctx.response().setStatusCode(503).putHeader("Retry-After", "1").putHeader("Content-Type", "application/json")
                    .end(BODY);
        }
    }
}
