package org.soardeferred.request;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

import org.soardeferred.common.InvalidRequestException;
import org.soardeferred.soar.SoarRequest;

/**
 * Reads a query file dropped in the inbox into a {@link SoarRequest}:
 * <ul>
 *   <li>{@code NAME.ids} / {@code NAME.txt}: data item ids, one per line or comma-separated; blank lines and
 *       {@code #} comments ignored;</li>
 *   <li>{@code NAME.adql}: one ADQL query, which may span lines;</li>
 *   <li>{@code NAME.properties}: keys {@code data_item_id}, {@code query}, {@code product_type},
 *       {@code retrieval_type};</li>
 *   <li>{@code NAME.job} / {@code NAME.url}: the URL of an existing UWS job (the link in SOAR's e-mail) to attach to.</li>
 * </ul>
 * Anything else (empty, binary, not UTF-8, too large, unknown keys, both or neither of ids and query) is an
 * {@link InvalidRequestException} whose message says why.
 */
public class QueryFileReader {

    public static final Set<String> EXTENSIONS = Set.of("ids", "txt", "adql", "properties", "job", "url");
    private static final Set<String> PROPERTY_KEYS = Set.of("data_item_id", "query", "product_type", "retrieval_type");

    private final long maxBytes;

    public QueryFileReader(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public SoarRequest read(String path) {
        Path file = Path.of(path);
        String fileName = file.getFileName().toString();
        String extension = extension(fileName);
        if (!EXTENSIONS.contains(extension)) {
            throw new InvalidRequestException("'" + fileName + "' is not a query file: use .ids, .txt, .adql, .properties, .job or .url");
        }
        String text = readText(file);
        String name = baseName(fileName);
        return switch (extension) {
            case "adql" -> new SoarRequest(name, List.of(), text, null, null);
            case "properties" -> fromProperties(name, text);
            case "job", "url" -> SoarRequest.attach(name, jobUrl(text));
            default -> new SoarRequest(name, parseIds(text), null, null, null);
        };
    }

    private String readText(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new InvalidRequestException("the file has " + size + " bytes; a query file may have at most " + maxBytes);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidRequestException("the file cannot be read: " + e);
        }
        if (bytes.length > maxBytes) {
            throw new InvalidRequestException("the file has " + bytes.length + " bytes; a query file may have at most " + maxBytes);
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new InvalidRequestException("the file is binary (it contains NUL bytes), not a text query file");
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException("the file is not UTF-8 text");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isBlank()) {
            throw new InvalidRequestException("the file is empty");
        }
        return text;
    }

    /** The job URL of a .job/.url file: its first line that is not blank or a # comment. */
    static String jobUrl(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst()
                .orElseThrow(() -> new InvalidRequestException("the file names no job URL"));
    }

    static List<String> parseIds(String text) {
        Set<String> ids = new LinkedHashSet<>();
        for (String line : text.split("\\R")) {
            int hash = line.indexOf('#');
            String content = hash >= 0 ? line.substring(0, hash) : line;
            for (String id : content.split(",")) {
                if (!id.isBlank()) {
                    ids.add(id.strip());
                }
            }
        }
        if (ids.isEmpty()) {
            throw new InvalidRequestException("the file names no data item ids (only blank lines or comments)");
        }
        return new ArrayList<>(ids);
    }

    private static SoarRequest fromProperties(String name, String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidRequestException("the properties file cannot be parsed: " + e.getMessage());
        }
        for (String key : p.stringPropertyNames()) {
            if (!PROPERTY_KEYS.contains(key)) {
                throw new InvalidRequestException("unknown key '" + SoarRequest.abbreviate(key) + "'; the keys are "
                        + "data_item_id, query, product_type, retrieval_type");
            }
        }
        String ids = p.getProperty("data_item_id");
        List<String> idList = ids == null || ids.isBlank() ? List.of() : parseIds(ids);
        return new SoarRequest(name, idList, p.getProperty("query"), p.getProperty("product_type"),
                p.getProperty("retrieval_type"));
    }

    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static String baseName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot <= 0 ? fileName : fileName.substring(0, dot);
    }
}
