package org.soardeferred.soar;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.soardeferred.uws.UwsJob;

/** The SOAR addresses: login, the DEFERRED data request, job and result URLs as the server gives them. */
public class SoarUrls {

    private final URI base;
    /** Hosts besides SOAR's whose UWS jobs may be attached to. */
    private final java.util.Set<String> attachHosts;

    public SoarUrls(String baseUrl) {
        this(baseUrl, java.util.Set.of());
    }

    public SoarUrls(String baseUrl, java.util.Set<String> attachHosts) {
        this.attachHosts = attachHosts;
        String trimmed = baseUrl.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        this.base = URI.create(trimmed);
        if (base.getHost() == null || !(isHttp(base))) {
            throw new IllegalArgumentException("soar.base-url '" + baseUrl + "' is not an http(s) URL");
        }
    }

    public String base() {
        return base.toString();
    }

    public String host() {
        return base.getHost();
    }

    /** The query string of {@code GET {base}/data}, percent-encoded (spaces as %20). */
    public String dataQuery(SoarRequest request) {
        return encode(request.dataParameters());
    }

    /** The job URL to poll: ESA's email_base_url when the document has one, else {base}/tap/async/{jobId}. */
    public String jobUrl(UwsJob job) {
        String url = job.jobUrl() != null ? job.jobUrl() : base + "/tap/async/" + job.jobId();
        return onSoarScheme(url);
    }

    /**
     * ESA writes {@code http://} job and result URLs although the service is HTTPS: a URL on the SOAR host is
     * upgraded to the base URL's scheme (and port), so the session never travels in clear text.
     */
    public String onSoarScheme(String url) {
        URI uri = URI.create(url.strip());
        if (isSoarHost(uri) && "https".equals(base.getScheme()) && "http".equalsIgnoreCase(uri.getScheme())) {
            return "https://" + base.getRawAuthority()
                    + (uri.getRawPath() == null ? "" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        }
        return uri.toString();
    }

    /**
     * A request to attach to an existing job, made safe: its URL must be on SOAR's host or one of
     * soar.attach.allowed-hosts (a dropped file cannot make the service fetch arbitrary internal URLs), and a
     * SOAR link in http:// is upgraded to the base URL's https. Other requests are returned as they are.
     */
    public SoarRequest attachable(SoarRequest request) {
        if (request.jobUrl() == null) {
            return request;
        }
        URI uri = URI.create(request.jobUrl().replace(" ", "%20"));
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
        if (!isSoarHost(uri) && !attachHosts.contains(host)) {
            throw new org.soardeferred.common.InvalidRequestException("the job URL is on " + host + ", which is not SOAR's "
                    + "host (" + base.getHost() + ") nor listed in soar.attach.allowed-hosts; nothing was fetched");
        }
        return SoarRequest.attach(request.name(), onSoarScheme(request.jobUrl())).withTarget(request.target());
    }

    public boolean isSoarHost(URI uri) {
        return uri.getHost() != null && uri.getHost().equalsIgnoreCase(base.getHost());
    }

    /** The URL is SOAR's service itself: its host and port (a UWS server elsewhere on the same host is not SOAR). */
    public boolean isSoarService(URI uri) {
        return isSoarHost(uri) && port(uri) == port(base);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    static String encode(Map<String, String> parameters) {
        return parameters.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("&"));
    }

    private static boolean isHttp(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("http") || scheme.equals("https");
    }
}
