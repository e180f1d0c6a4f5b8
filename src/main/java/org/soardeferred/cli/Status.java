package org.soardeferred.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The live jobs of a running service as a table, asked over its REST API: works while the service holds the
 * job store (H2 allows one process), and from another machine with the token.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the live jobs of a running service (over its REST API) as a table.")
final class Status implements Callable<Integer> {

    @Option(names = "--url", paramLabel = "URL", description = "The service's API (default: http://SOAR_HTTP_HOST:SOAR_HTTP_PORT, "
            + "i.e. http://127.0.0.1:8080).")
    String url;
    @Option(names = "--all", description = "Also finished jobs (the 50 newest).")
    boolean all;

    @Override
    public Integer call() throws Exception {
        String base = url != null ? url : "http://" + env("SOAR_HTTP_HOST", "127.0.0.1") + ":" + env("SOAR_HTTP_PORT", "8080");
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-24s %-10s %-10s %8s %11s %10s %8s%n",
                "NAME", "STATUS", "PHASE", "DONE", "MB", "MB/s", "ETA"));
        int shown = 0;
        for (String status : all ? new String[] {""} : new String[] {"FETCHING", "SUBMITTED", "ACCEPTED"}) {
            JsonNode page;
            try {
                page = get(base + "/api/requests?limit=50" + (status.isEmpty() ? "" : "&status=" + status));
            } catch (java.io.IOException e) {
                System.err.println("soar-deferred: no service answers at " + base + " (" + e.getClass().getSimpleName()
                        + "); is it running with its API on (SOAR_HTTP_ENABLED, SOAR_HTTP_PORT)?");
                return ExitCodes.FAILURE;
            }
            if (page.has("error")) {
                System.err.println("soar-deferred: " + page.path("error").asText());
                return ExitCodes.FAILURE;
            }
            for (JsonNode j : page.path("jobs")) {
                table.append(row(j));
                shown++;
            }
        }
        System.out.print(table);
        if (shown == 0) {
            System.out.println(all ? "(no jobs)" : "(no live jobs)");
        }
        return ExitCodes.OK;
    }

    private static String row(JsonNode j) {
        long done = j.path("bytesDone").asLong();
        JsonNode total = j.path("bytesTotal");
        JsonNode transfer = j.path("transfer");
        String percent = total.isNumber() && total.asLong() > 0 ? String.format(Locale.ROOT, "%.1f%%", 100.0 * done / total.asLong()) : "-";
        String rate = transfer.isObject() ? String.format(Locale.ROOT, "%.1f", transfer.path("bytesPerSecond").asDouble() / 1e6) : "-";
        String eta = transfer.isObject() && transfer.path("etaSeconds").isNumber()
                ? org.soardeferred.common.Durations.format(Duration.ofSeconds(transfer.path("etaSeconds").asLong())) : "-";
        String name = j.path("name").asText();
        return String.format(Locale.ROOT, "%-24s %-10s %-10s %8s %11.1f %10s %8s%n",
                name.length() <= 24 ? name : name.substring(0, 23) + "…", j.path("status").asText(),
                j.path("phase").isNull() ? "-" : j.path("phase").asText(), percent, done / 1e6, rate, eta);
    }

    private static JsonNode get(String url) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        String token = System.getenv("SOAR_HTTP_TOKEN");
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token.strip());
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() || "0".equals(v) ? fallback : v.strip();
    }
}
