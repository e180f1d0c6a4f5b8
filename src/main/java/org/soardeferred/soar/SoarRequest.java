package org.soardeferred.soar;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.soardeferred.common.InvalidRequestException;

/**
 * One DEFERRED request to SOAR: either data item ids or an ADQL query, with the product and retrieval types;
 * or the address of a UWS job that exists already (submitted elsewhere: the link in SOAR's e-mail), to attach to.
 *
 * @param name          the name the user gave it (the query file's name without extension); names the outputs
 * @param dataItemIds   SOAR data item ids, or empty when {@code query} is set
 * @param query         an ADQL query returning at least filepath and filename, or null when ids are set
 * @param productType   SCIENCE, LOW_LATENCY or TELEMETRY
 * @param retrievalType PRODUCT, LAST_PRODUCT or ALL_PRODUCTS
 * @param jobUrl        the URL of an existing UWS job to attach to, or null
 * @param target        where its packages go (s3://bucket/prefix or a folder, one of soar.targets.allowed), or null
 *                      for the service's own (soar.target or soar.outbox)
 */
public record SoarRequest(String name, List<String> dataItemIds, String query, String productType,
                          String retrievalType, String jobUrl, String target) {

    public static final Set<String> PRODUCT_TYPES = Set.of("SCIENCE", "LOW_LATENCY", "TELEMETRY");
    public static final Set<String> RETRIEVAL_TYPES = Set.of("PRODUCT", "LAST_PRODUCT", "ALL_PRODUCTS");
    public static final String DEFAULT_PRODUCT_TYPE = "SCIENCE";
    public static final String DEFAULT_RETRIEVAL_TYPE = "PRODUCT";
    /** A data item id is a file name without version and extension, e.g. solo_L2_epd-ept-north-rates_20200820. */
    private static final Pattern DATA_ITEM_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]*");

    public SoarRequest {
        dataItemIds = dataItemIds == null ? List.of() : List.copyOf(dataItemIds);
        query = query == null || query.isBlank() ? null : query.strip();
        productType = normaliseType("product_type", productType, DEFAULT_PRODUCT_TYPE, PRODUCT_TYPES);
        retrievalType = normaliseType("retrieval_type", retrievalType, DEFAULT_RETRIEVAL_TYPE, RETRIEVAL_TYPES);
        jobUrl = jobUrl == null || jobUrl.isBlank() ? null : jobUrl.strip();
        target = target == null || target.isBlank() ? null : target.strip();
        int kinds = (dataItemIds.isEmpty() ? 0 : 1) + (query == null ? 0 : 1) + (jobUrl == null ? 0 : 1);
        if (kinds == 0) {
            throw new InvalidRequestException("names neither data item ids nor an ADQL query");
        }
        if (kinds > 1) {
            throw new InvalidRequestException(jobUrl == null ? "names both data item ids and an ADQL query; give one or the other"
                    : "names a job URL and also ids or a query; give one of them");
        }
        if (jobUrl != null && !jobUrl.matches("(?i)https?://[^\\s/]+/\\S*")) {
            throw new InvalidRequestException("'" + abbreviate(jobUrl) + "' is not an http(s) job URL");
        }
        if (jobUrl != null) {
            try {
                java.net.URI.create(jobUrl.strip());
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("'" + abbreviate(jobUrl) + "' is not a valid URL: " + e.getMessage());
            }
        }
        for (String id : dataItemIds) {
            if (!DATA_ITEM_ID.matcher(id).matches()) {
                throw new InvalidRequestException("'" + abbreviate(id) + "' is not a SOAR data item id "
                        + "(letters, digits, '_', '-', '.', '+' only; e.g. solo_L2_epd-ept-north-rates_20200820)");
            }
        }
        if (query != null && !query.regionMatches(true, 0, "SELECT", 0, 6)) {
            throw new InvalidRequestException("the ADQL query must start with SELECT, but starts with '"
                    + abbreviate(query) + "'");
        }
    }

    public SoarRequest(String name, List<String> dataItemIds, String query, String productType, String retrievalType) {
        this(name, dataItemIds, query, productType, retrievalType, null, null);
    }

    public SoarRequest(String name, List<String> dataItemIds, String query, String productType, String retrievalType,
                       String jobUrl) {
        this(name, dataItemIds, query, productType, retrievalType, jobUrl, null);
    }

    /** The same request, delivered elsewhere. */
    public SoarRequest withTarget(String newTarget) {
        return new SoarRequest(name, dataItemIds, query, productType, retrievalType, jobUrl, newTarget);
    }

    /** A request to follow a job that exists already, by its URL. */
    public static SoarRequest attach(String name, String jobUrl) {
        return new SoarRequest(name, List.of(), null, null, null, jobUrl);
    }

    /** The parameters of {@code GET {base}/data}, in order, not yet URL-encoded. */
    public Map<String, String> dataParameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("RETRIEVAL_TYPE", retrievalType);
        p.put("RETRIEVAL_ACCESS", "DEFERRED");
        p.put("PRODUCT_TYPE", productType);
        if (query != null) {
            p.put("QUERY", query);
        } else {
            p.put("data_item_id", String.join(",", dataItemIds));
        }
        return p;
    }

    /**
     * Whether a UWS job with these parameters (ids in lower case, as SOAR lists them) was made by this request: a
     * DEFERRED request for the same set of data item ids, or the same query up to white space, with the same
     * product and retrieval types.
     */
    public boolean madeJobWith(Map<String, String> parameters) {
        if (jobUrl != null) {
            return false;
        }
        String access = parameters.get("retrieval_access");
        if (access != null && !access.strip().equals("DEFERRED")
                || !productType.equals(parameters.getOrDefault("product_type", DEFAULT_PRODUCT_TYPE).strip())
                || !retrievalType.equals(parameters.getOrDefault("retrieval_type", DEFAULT_RETRIEVAL_TYPE).strip())) {
            return false;
        }
        if (query != null) {
            String theirs = parameters.get("query");
            return theirs != null && theirs.strip().replaceAll("\\s+", " ").equals(query.replaceAll("\\s+", " "));
        }
        String ids = parameters.get("data_item_id");
        if (ids == null) {
            return false;
        }
        Set<String> theirs = new TreeSet<>();
        for (String id : ids.split(",")) {
            if (!id.isBlank()) {
                theirs.add(id.strip());
            }
        }
        return theirs.equals(new TreeSet<>(dataItemIds));
    }

    /** Same ids (any order, duplicates ignored) or same query (any whitespace), same types: same key. */
    public String idempotencyKey() {
        // a request for another target is another request (its packages must reach that target)
        String where = target == null ? "" : "|target:" + target;
        if (jobUrl != null) {
            // http:// and https:// links to the same job are the same job
            return sha256("job:" + jobUrl.replaceFirst("(?i)^https?://", "").replaceAll("/+$", "") + where);
        }
        String what = query != null
                ? "query:" + query.replaceAll("\\s+", " ")
                : "ids:" + String.join(",", new TreeSet<>(dataItemIds));
        return sha256(what + "|" + productType + "|" + retrievalType + where);
    }

    /** A short human description for logs: "3 data items" or "ADQL query". */
    public String describe() {
        if (jobUrl != null) {
            return "the existing job " + jobUrl;
        }
        return query != null ? "ADQL query" : dataItemIds.size() + " data item" + (dataItemIds.size() == 1 ? "" : "s");
    }

    private static String normaliseType(String key, String value, String defaultValue, Set<String> allowed) {
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        String upper = value.strip().toUpperCase(Locale.ROOT);
        if (!allowed.contains(upper)) {
            throw new InvalidRequestException(key + " '" + abbreviate(value) + "' is not one of " + new TreeSet<>(allowed));
        }
        return upper;
    }

    public static String abbreviate(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() > 60 ? flat.substring(0, 60) + "…" : flat;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
