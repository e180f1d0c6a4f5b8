package org.soardeferred.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.soardeferred.common.Durations;

/**
 * Reads the mirror definitions of a YAML file (soar.mirrors, default config/mirrors.yaml):
 * <pre>
 * mirrors:
 *   - name: mag-l2
 *     schedule: "0 0 2 * * ?"
 *     instrument: MAG
 *     level: L2
 *     package-size-cap: 10GB
 * </pre>
 * A missing file means no mirrors. A mistake (an unknown key, a bad value, two mirrors of one name) stops the
 * service at start-up with the mirror and the key named, rather than a mirror silently doing something else.
 */
public final class MirrorDefinitions {

    private static final Set<String> KEYS = Set.of("name", "schedule", "instrument", "instruments", "level", "levels",
            "data-type", "data-types", "descriptor", "descriptors", "where", "target", "package-size-cap",
            "retrieval-type", "extract", "keep-packages", "since", "enabled");

    private MirrorDefinitions() {
    }

    public static Map<String, MirrorDefinition> load(Path file) {
        if (file == null || !Files.exists(file)) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid YAML: " + e.getMessage(), e);
        }
        Map<String, MirrorDefinition> out = new LinkedHashMap<>();
        JsonNode list = root == null ? null : root.path("mirrors");
        if (list == null || list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(file + ": 'mirrors' must be a list");
        }
        for (JsonNode m : list) {
            Iterator<String> keys = m.fieldNames();
            while (keys.hasNext()) {
                String k = keys.next();
                if (!KEYS.contains(k)) {
                    throw new IllegalArgumentException(file + ": mirror '" + m.path("name").asText("?") + "' has an unknown key '"
                            + k + "' (known: " + new java.util.TreeSet<>(KEYS) + ")");
                }
            }
            if (!m.path("enabled").asBoolean(true)) {
                continue;
            }
            String cap = text(m, "package-size-cap");
            MirrorDefinition d = new MirrorDefinition(text(m, "name"), text(m, "schedule"),
                    list(m, "instrument", "instruments"), list(m, "level", "levels"), list(m, "data-type", "data-types"),
                    list(m, "descriptor", "descriptors"), text(m, "where"), text(m, "target"),
                    cap == null ? MirrorDefinition.DEFAULT_SIZE_CAP : Durations.parseSize("package-size-cap", cap),
                    text(m, "retrieval-type"), m.path("extract").asBoolean(false), m.path("keep-packages").asBoolean(false),
                    text(m, "since"));
            if (out.put(d.name(), d) != null) {
                throw new IllegalArgumentException(file + ": two mirrors are named '" + d.name() + "'");
            }
        }
        return out;
    }

    private static String text(JsonNode m, String key) {
        JsonNode v = m.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> list(JsonNode m, String one, String many) {
        List<String> out = new ArrayList<>();
        for (String key : List.of(one, many)) {
            JsonNode v = m.get(key);
            if (v == null || v.isNull()) {
                continue;
            }
            if (v.isArray()) {
                v.forEach(e -> out.add(e.asText()));
            } else {
                out.add(v.asText());
            }
        }
        return out;
    }
}
