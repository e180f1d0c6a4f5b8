package org.soardeferred.transfer;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file name extension of a result that is not a SOAR package (a job attached on another UWS server): a
 * VOTable, a FITS image, a CSV table. SOAR's packages are always {@code .tar.gz}. For the others the server's
 * own words decide, in this order: the file name of its {@code Content-Disposition}, the last segment of the
 * result's URL, its {@code Content-Type}; when none of them says, {@code .tar.gz} as before.
 */
public final class ResultNames {

    private static final Pattern DISPOSITION_NAME = Pattern.compile("filename\\*?=\\s*(?:[\\w-]+'[\\w-]*')?\"?([^\";]+)\"?",
            Pattern.CASE_INSENSITIVE);
    /** The extension of a file name: one part, or two when the last is a compression (.fits.gz, .tar.gz). */
    private static final Pattern EXTENSION = Pattern.compile(
            "[^.](\\.[A-Za-z0-9]{1,8}(?:\\.(?:gz|bz2|xz|zst|z))?)$", Pattern.CASE_INSENSITIVE);
    private static final Map<String, String> BY_TYPE = Map.ofEntries(
            Map.entry("application/votable+xml", ".vot.xml"),
            Map.entry("text/xml", ".xml"),
            Map.entry("application/xml", ".xml"),
            Map.entry("application/fits", ".fits"),
            Map.entry("image/fits", ".fits"),
            Map.entry("application/json", ".json"),
            Map.entry("text/csv", ".csv"),
            Map.entry("text/tab-separated-values", ".tsv"),
            Map.entry("text/plain", ".txt"),
            Map.entry("text/html", ".html"),
            Map.entry("application/x-tar", ".tar"),
            Map.entry("application/zip", ".zip"),
            Map.entry("application/x-hdf5", ".h5"),
            Map.entry("application/x-netcdf", ".nc"),
            Map.entry("application/x-cdf", ".cdf"),
            Map.entry("image/png", ".png"),
            Map.entry("image/jpeg", ".jpg"));

    private ResultNames() {
    }

    /** The extension, with its dot, for a result fetched from {@code href} that came with these headers. */
    public static String extension(String href, String contentType, String contentDisposition) {
        String ext = contentDisposition == null ? null : fromDisposition(contentDisposition);
        if (ext == null) {
            ext = fromUrl(href);
        }
        if (ext == null && contentType != null) {
            String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            boolean votable = contentType.toLowerCase(Locale.ROOT).contains("x-votable");
            ext = votable ? ".vot.xml" : BY_TYPE.get(type);
        }
        return ext == null ? Outbox.PACKAGE_SUFFIX : ext.toLowerCase(Locale.ROOT);
    }

    private static String fromDisposition(String header) {
        Matcher m = DISPOSITION_NAME.matcher(header);
        return m.find() ? ofName(lastSegment(m.group(1).strip())) : null;
    }

    private static String fromUrl(String href) {
        try {
            String path = URI.create(href).getPath();
            return path == null ? null : ofName(lastSegment(path));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String lastSegment(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    private static String ofName(String name) {
        Matcher m = EXTENSION.matcher(name);
        return m.find() ? m.group(1) : null;
    }
}
