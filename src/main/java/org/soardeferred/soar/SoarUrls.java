package org.soardeferred.soar;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.soardeferred.request.SoarRequest;
import org.soardeferred.uws.UwsJob;

/** The SOAR addresses: login, the DEFERRED data request, job and result URLs as the server gives them. */
public class SoarUrls {

    private final URI base;

    public SoarUrls(String baseUrl) {
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

    public boolean isSoarHost(URI uri) {
        return uri.getHost() != null && uri.getHost().equalsIgnoreCase(base.getHost());
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
