package org.soardeferred.simulator;

import java.math.BigInteger;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The archive's catalogue, served by {@code /tap/sync} and giving DEFERRED packages their files' real names and
 * sizes: file name → row, in the order first archived.
 */
final class ArchiveCatalogue {

    private static final Pattern DIGITS = Pattern.compile("\\d+");

    /** Guarded by itself. */
    private final Map<String, ArchivedFile> files = new LinkedHashMap<>();

    /** Adds files; one with the file name of one already there replaces it. */
    void add(ArchivedFile... added) {
        synchronized (files) {
            for (ArchivedFile f : added) {
                files.put(f.fileName(), f);
            }
        }
    }

    /** The files now, in the order first archived. */
    List<ArchivedFile> snapshot() {
        synchronized (files) {
            return List.copyOf(files.values());
        }
    }

    /** The file of this name, or null. */
    ArchivedFile file(String fileName) {
        synchronized (files) {
            return files.get(fileName);
        }
    }

    /** The versions of an item: the highest only, or all (oldest first) for ALL_PRODUCTS. */
    List<ArchivedFile> versions(String itemId, String retrievalType) {
        List<ArchivedFile> versions = snapshot().stream().filter(f -> f.itemId().equals(itemId))
                .sorted(Comparator.comparing(ArchivedFile::itemVersion, ArchiveCatalogue::compareVersions)).toList();
        if (versions.isEmpty() || retrievalType.equals("ALL_PRODUCTS")) {
            return versions;
        }
        return List.of(versions.get(versions.size() - 1));
    }

    /** V02 &lt; V10: by the version's number, then as text. */
    private static int compareVersions(String a, String b) {
        Matcher x = DIGITS.matcher(a == null ? "" : a);
        Matcher y = DIGITS.matcher(b == null ? "" : b);
        if (x.find() && y.find()) {
            int byNumber = new BigInteger(x.group()).compareTo(new BigInteger(y.group()));
            if (byNumber != 0) {
                return byNumber;
            }
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    }
}
