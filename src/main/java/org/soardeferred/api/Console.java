package org.soardeferred.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.soardeferred.observe.Throughput;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;
import org.soardeferred.transfer.Outboxes;

/**
 * The web console's side of the service (routes/console.camel.yaml): its static files (an HTML page, a script and a
 * style sheet under console/ in the jar, no data in them), and the two answers it needs beyond the REST API: the
 * totals with the recent throughput, and the health of SOAR, the job store and the target.
 */
public class Console {

    /** The files of the console, and their media types: nothing else is served. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    private final JobStore store;
    private final Throughput throughput;
    private final Outboxes outboxes;
    private final HealthCheck soar;
    private final HealthCheck jobStore;

    public Console(JobStore store, Throughput throughput, Outboxes outboxes, HealthCheck soar, HealthCheck jobStore) {
        this.store = store;
        this.throughput = throughput;
        this.outboxes = outboxes;
        this.soar = soar;
        this.jobStore = jobStore;
    }

    /** GET /api/overview: jobs by status, bytes received today (UTC) and since start, bytes/s over the last 10 minutes. */
    public Map<String, Object> overview() {
        Map<JobStatus, Long> counts = store.countByStatus();
        Map<String, Object> jobs = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            jobs.put(s.name(), counts.getOrDefault(s, 0L));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", jobs);
        m.put("bytesToday", throughput.today());
        m.put("bytesSinceStart", throughput.total());
        m.put("throughput", throughput.recent(10, 5));
        return m;
    }

    /** GET /api/health: SOAR (reachable, logged in), the job store, the service's own target. */
    public Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        HealthCheck.Result s = soar.call();
        Map<String, Object> soarHealth = new LinkedHashMap<>();
        soarHealth.put("up", s.getState() == HealthCheck.State.UP);
        soarHealth.put("message", s.getMessage().orElse(null));
        soarHealth.put("url", s.getDetails().get("soar.url"));
        soarHealth.put("loggedIn", s.getDetails().get("soar.logged.in"));
        soarHealth.put("credentials", s.getDetails().get("soar.credentials"));
        m.put("soar", soarHealth);
        HealthCheck.Result j = jobStore.call();
        Map<String, Object> storeHealth = new LinkedHashMap<>();
        storeHealth.put("up", j.getState() == HealthCheck.State.UP);
        storeHealth.put("message", j.getMessage().orElse(null));
        m.put("jobStore", storeHealth);
        m.put("target", outboxes.standard().health());
        return m;
    }

    /** GET /console/NAME: one of the console's files, or 404; / and /console go to /console/. */
    public void file(Exchange exchange) throws IOException {
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, "", String.class);
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, "", String.class);
        String name = uri.replaceAll("[?#].*$", "").replaceFirst("^.*?/console/?", "");
        if (name.isEmpty() && !uri.replaceAll("[?#].*$", "").endsWith("/")) {
            redirect(exchange);
            return;
        }
        name = name.isEmpty() ? "index.html" : name;
        exchange.getMessage().removeHeaders("*");
        String type = FILES.get(name);
        InputStream in = type == null ? null : Console.class.getClassLoader().getResourceAsStream("console/" + name);
        if (in == null) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getMessage().setBody("not found: " + (path.isEmpty() ? uri : path));
            return;
        }
        byte[] bytes;
        try (in) {
            bytes = in.readAllBytes();
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, type);
        exchange.getMessage().setHeader("Cache-Control", "no-cache");
        exchange.getMessage().setHeader("X-Content-Type-Options", "nosniff");
        exchange.getMessage().setHeader("Referrer-Policy", "no-referrer");
        // scripts and styles from the service itself only, no inline script, no frames: what SOAR or a query file
        // names can never run as code even if it reached the page as markup
        exchange.getMessage().setHeader("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        exchange.getMessage().setBody(bytes);
    }

    /** GET /: the console. */
    public void redirect(Exchange exchange) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
        exchange.getMessage().setHeader("Location", "/console/");
        exchange.getMessage().setBody("");
    }
}
