package org.soardeferred.simulator;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request under {@link SoarSimulator#CONTEXT} to its SOAR endpoint, after noting it and injecting the
 * failure a test set for its step; a handler's bug answers 500. Serves {@code /tap/sync} (public, no session
 * needed) and the simulator's own {@code /sim/stats}.
 */
record SimulatorRouter(RequestLog log, Faults faults, Sessions sessions, ArchiveCatalogue catalogue,
                       DeferredRequests deferred, AsyncJobs async, SimJobs jobs, LinkShape link) implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatorRouter.class);

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath().substring(SoarSimulator.CONTEXT.length());
            String method = ex.getRequestMethod();
            log.add(new SoarSimulator.SeenRequest(method, path, ex.getRequestURI().getRawQuery(),
                    ex.getRequestHeaders().getFirst("Cookie"), ex.getRequestHeaders().getFirst("Range")));
            if (faults.injectFailure(ex, step(path))) {
                return;
            }
            if (path.equals("/login") && method.equals("POST")) {
                sessions.login(ex);
            } else if (path.equals("/logout") && method.equals("POST")) {
                sessions.logout(ex);
            } else if (path.equals("/sim/stats") && method.equals("GET")) {
                stats(ex);
            } else if (path.equals("/data") && method.equals("GET")) {
                deferred.handle(ex);
            } else if (path.equals("/tap/sync")) {
                tapSync(ex);
            } else if (path.equals("/tap/async") && method.equals("GET")) {
                async.list(ex);
            } else if (path.startsWith("/tap/async/")) {
                async.job(ex, path.substring("/tap/async/".length()));
            } else {
                Exchanges.send(ex, 404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>");
            }
        } catch (RuntimeException e) {
            LOG.warn("Simulator failed on {}", ex.getRequestURI(), e);
            Exchanges.send(ex, 500, "text/plain", "Internal error: " + e);
        }
    }

    /** The step a test can make fail ({@link FaultInjection#fail}). */
    private static String step(String path) {
        return path.equals("/login") ? "login" : path.equals("/data") ? "submit"
                : path.contains("/results/") ? "download" : path.startsWith("/tap/async/") ? "poll"
                : path.equals("/tap/async") ? "list"
                : path.equals("/tap/sync") ? "sync" : "other";
    }

    /** {@code /tap/sync}: GET with a query string or POST with a form ({@link TapSync}). */
    private void tapSync(HttpExchange ex) throws IOException {
        String reply = faults.syncReply;
        if (reply != null) {
            Exchanges.sendAsIs(ex, reply);
            return;
        }
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("POST")) {
            ex.getResponseHeaders().add("Allow", "GET, POST");
            Exchanges.send(ex, 405, "text/plain", "Method not allowed");
            return;
        }
        Map<String, String> p = Exchanges.query(ex);
        if (method.equals("POST")) {
            p.putAll(Exchanges.form(ex, true));
        }
        TapSync.Reply answer = TapSync.answer(p, catalogue.snapshot(), faults.truncateSyncRows);
        Exchanges.send(ex, answer.status(), answer.contentType(), answer.body());
    }

    /** {@code GET /sim/stats}: what the simulator has served, as JSON. */
    private void stats(HttpExchange ex) throws IOException {
        Exchanges.send(ex, 200, "application/json", String.format(Locale.ROOT,
                "{\"logins\":%d,\"submits\":%d,\"polls\":%d,\"downloads\":%d,\"jobs\":%d,\"bytesSent\":%d}",
                log.logins(), log.submits(), log.polls(), log.downloads(), jobs.size(), link.bytesSent()));
    }
}
