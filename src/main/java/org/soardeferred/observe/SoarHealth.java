package org.soardeferred.observe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.soardeferred.soar.SoarSession;
import org.soardeferred.store.JobStore;

/** The readiness of the service beyond Camel's own checks: the job store answers, SOAR answers, the session. */
public final class SoarHealth {

    private SoarHealth() {
    }

    /**
     * Routes that are off by configuration (their {@code autoStartup}, keyed on a {@code soar.*.enabled} property in
     * their YAML, resolved to false: the timer trigger without a request, the REST API without soar.http.enabled, the
     * inbox of a command-line run, ...) are left out of Camel's route and consumer checks: a route that was never meant
     * to run is not a stopped route, and must not keep the service out of readiness. Called once the routes exist; a
     * route that stops later for any other reason still counts. The ids are added to camel.health.exclude-pattern,
     * keeping whatever that says already.
     */
    public static void excludeRoutesOffByConfiguration(org.apache.camel.CamelContext context) {
        org.apache.camel.health.HealthCheckRegistry registry = org.apache.camel.health.HealthCheckRegistry.get(context);
        if (registry == null) {
            return;
        }
        java.util.List<String> ids = context.getRoutes().stream().filter(route -> !route.isAutoStartup())
                .map(org.apache.camel.Route::getRouteId).toList();
        if (ids.isEmpty()) {
            return;
        }
        String existing = registry.getExcludePattern();
        registry.setExcludePattern((existing == null || existing.isBlank() ? "" : existing + ",") + String.join(",", ids));
    }

    /** Ready and live only while the job store answers: without it no step can be recorded. */
    public static class JobStoreCheck extends AbstractHealthCheck {
        private final JobStore store;

        public JobStoreCheck(JobStore store) {
            super("soar", "job-store");
            this.store = store;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            if (store.reachable()) {
                builder.up();
            } else {
                builder.message("the job store does not answer").down();
            }
        }
    }

    /**
     * Ready while SOAR answers HTTP at soar.base-url (checked at most once per interval, never with the credentials),
     * with whether a session is held in the details. Not a liveness check: SOAR being down must not restart us.
     */
    public static class SoarCheck extends AbstractHealthCheck {
        private final URI base;
        private final SoarSession session;
        private final Duration interval;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private volatile long checkedAt;
        private volatile String problem = "not checked yet";
        private volatile int status;

        public SoarCheck(String baseUrl, SoarSession session, Duration interval) {
            super("soar", "soar-reachable");
            this.base = URI.create(baseUrl);
            this.session = session;
            this.interval = interval;
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            long now = System.nanoTime();
            if (checkedAt == 0 || now - checkedAt > interval.toNanos()) {
                try {
                    status = http.send(HttpRequest.newBuilder(base).timeout(Duration.ofSeconds(5)).GET().build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    problem = status >= 500 ? "SOAR answered HTTP " + status : null;
                } catch (java.io.IOException e) {
                    problem = "SOAR cannot be reached at " + base + ": " + e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    problem = "interrupted";
                }
                checkedAt = now;
            }
            builder.detail("soar.url", base.toString());
            builder.detail("soar.http.status", status);
            builder.detail("soar.logged.in", session.isLoggedIn());
            builder.detail("soar.credentials", session.hasCredentials());
            if (problem == null) {
                builder.up();
            } else {
                builder.message(problem).down();
            }
        }
    }
}
