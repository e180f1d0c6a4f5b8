package org.soardeferred.mirror;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.soardeferred.soar.SoarRequest;

/**
 * One mirror of config/mirrors.yaml: what to keep up to date (a selection of SOAR's v_public_files), when
 * (a Quartz cron), where (the service's target, a folder or s3://bucket/prefix) and how (packages under a size cap,
 * a retrieval type, optionally unpacked into SOAR's filepath tree).
 *
 * @param name         names the mirror, its schedule and its packages (letters, digits, '-', '_')
 * @param schedule     a Quartz cron expression (seconds first), or null to run only when asked
 * @param instruments  instrument names (MAG, SWA, EPD, …); empty for all
 * @param levels       processing levels (L1, L2, LL02, …); empty for all
 * @param dataTypes    SCI, LL or CAL; empty for all
 * @param descriptors  descriptor filters on the data item id (mag-rtn-normal, swa-pas-%, …); empty for all
 * @param where        a raw ADQL condition on v_public_files, added with AND; null for none
 * @param target       a folder or s3://bucket/prefix; null for the service's own target
 * @param sizeCap      the largest package to ask for, in bytes (files are grouped into requests under it)
 * @param retrievalType PRODUCT, LAST_PRODUCT or ALL_PRODUCTS
 * @param extract      unpack each package into target following SOAR's filepath layout (folder targets only)
 * @param keepPackages with extract: keep the package once unpacked (default: delete it)
 * @param since        the first watermark: files archived before it are ignored; null to mirror everything
 */
public record MirrorDefinition(String name, String schedule, List<String> instruments, List<String> levels,
                               List<String> dataTypes, List<String> descriptors, String where, String target,
                               long sizeCap, String retrievalType, boolean extract, boolean keepPackages, String since) {

    public static final long DEFAULT_SIZE_CAP = 10L << 30;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.%-]*");
    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?");

    public MirrorDefinition {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalid(name, "a name of letters, digits, '-' and '_' is required");
        }
        instruments = upper(name, "instrument", instruments);
        levels = upper(name, "level", levels);
        dataTypes = upper(name, "data-type", dataTypes);
        descriptors = values(name, "descriptor", descriptors);
        for (String t : dataTypes) {
            if (!List.of("SCI", "LL", "CAL").contains(t)) {
                throw invalid(name, "data-type '" + t + "' is not one of SCI, LL, CAL");
            }
        }
        where = where == null || where.isBlank() ? null : where.strip();
        if (where != null && where.contains(";")) {
            throw invalid(name, "where must be one ADQL condition, without ';'");
        }
        target = target == null || target.isBlank() ? null : target.strip();
        if (sizeCap <= 0) {
            throw invalid(name, "package-size-cap must be positive");
        }
        retrievalType = retrievalType == null || retrievalType.isBlank() ? "LAST_PRODUCT" : retrievalType.strip().toUpperCase(Locale.ROOT);
        if (!SoarRequest.RETRIEVAL_TYPES.contains(retrievalType)) {
            throw invalid(name, "retrieval-type '" + retrievalType + "' is not one of " + SoarRequest.RETRIEVAL_TYPES);
        }
        if (extract && (target == null || target.contains("://"))) {
            throw invalid(name, "extract needs a folder target (where SOAR's tree is built), not " + (target == null ? "none" : target));
        }
        since = since == null || since.isBlank() ? null : since.strip();
        if (since != null && !TIME.matcher(since).matches()) {
            throw invalid(name, "since '" + since + "' is not a time like 2024-03-11T18:04:38");
        }
        schedule = schedule == null || schedule.isBlank() ? null : schedule.strip();
    }

    /** The ADQL condition on v_public_files that selects this mirror's files (without the watermark). */
    public String selection() {
        List<String> and = new ArrayList<>();
        in(and, "instrument", instruments);
        in(and, "processing_level", levels);
        in(and, "data_type", dataTypes);
        if (!descriptors.isEmpty()) {
            List<String> or = new ArrayList<>();
            for (String d : descriptors) {
                or.add("item_id LIKE 'solo_%_" + d + "_%'");
            }
            and.add(or.size() == 1 ? or.get(0) : "(" + String.join(" OR ", or) + ")");
        }
        if (where != null) {
            and.add("(" + where + ")");
        }
        return and.isEmpty() ? "1=1" : String.join(" AND ", and);
    }

    /** The product_type SOAR's /data expects for files of a data type. */
    public static String productType(String dataType) {
        return "LL".equals(dataType) ? "LOW_LATENCY" : "SCIENCE";
    }

    private static void in(List<String> and, String column, List<String> values) {
        if (values.size() == 1) {
            and.add(column + " = '" + values.get(0) + "'");
        } else if (!values.isEmpty()) {
            and.add(column + " IN ('" + String.join("', '", values) + "')");
        }
    }

    private static List<String> upper(String mirror, String what, List<String> raw) {
        return values(mirror, what, raw).stream().map(v -> v.toUpperCase(Locale.ROOT)).toList();
    }

    private static List<String> values(String mirror, String what, List<String> raw) {
        List<String> out = new ArrayList<>();
        for (String v : raw == null ? List.<String>of() : raw) {
            for (String part : v.split(",")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                if (!VALUE.matcher(p).matches()) {
                    throw invalid(mirror, what + " '" + p + "' may hold only letters, digits, '_', '.', '-' and '%'");
                }
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    private static IllegalArgumentException invalid(String mirror, String why) {
        return new IllegalArgumentException("mirror '" + mirror + "': " + why);
    }
}
