package org.soardeferred.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the configuration classes read the text of a {@code soar.*} key: numbers, flags, host lists (durations and
 * sizes: {@link org.soardeferred.common.Durations}).
 */
final class Settings {

    private Settings() {
    }

    static int integer(String value) {
        return Integer.parseInt(value.strip());
    }

    static boolean flag(String value) {
        return Boolean.parseBoolean(value.strip());
    }

    /** A comma-separated list of host names, lower case; empty entries dropped. */
    static Set<String> hosts(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(h -> !h.isEmpty())
                .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** A JDBC URL without its parameters (which may hold options or secrets), for messages. */
    static String withoutParameters(String jdbcUrl) {
        return jdbcUrl.replaceAll("[;?].*", "");
    }

    /** The User-Agent of every request to SOAR. */
    static String userAgent() {
        // the jar's manifest; in the container image (classes and libraries, no jar) -Dsoar.version
        String v = Settings.class.getPackage().getImplementationVersion();
        return "soar-deferred/" + (v == null ? System.getProperty("soar.version", "dev") : v);
    }
}
