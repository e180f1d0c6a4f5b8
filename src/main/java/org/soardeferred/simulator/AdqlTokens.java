package org.soardeferred.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokens of an {@link AdqlSubset} query, read front to back: names, numbers, quoted strings (kept with their
 * quotes, '' inside) and the symbols of the subset.
 */
final class AdqlTokens {

    private final List<String> tokens;
    private int at;

    AdqlTokens(String adql) {
        this.tokens = tokenize(adql);
    }

    /** The next token, or null at the end. */
    String peek() {
        return at < tokens.size() ? tokens.get(at) : null;
    }

    /** Moves past the next token. */
    void skip() {
        at++;
    }

    boolean atEnd() {
        return at >= tokens.size();
    }

    boolean accept(String keyword) {
        String t = peek();
        if (t != null && t.equalsIgnoreCase(keyword)) {
            at++;
            return true;
        }
        return false;
    }

    void expect(String keyword) {
        if (!accept(keyword)) {
            throw new AdqlException("Expected " + keyword + ", found " + describe(peek()));
        }
    }

    /** The token as an error message names it. */
    static String describe(String token) {
        return token == null ? "the end of the query" : "'" + token + "'";
    }

    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int start = i;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
            } else if (Character.isDigit(c) || (c == '-' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                i++;
                while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                    i++;
                }
            } else if (c == '\'') {
                i = endOfString(s, i);
            } else if (s.startsWith("<>", i) || s.startsWith("!=", i) || s.startsWith("<=", i) || s.startsWith(">=", i)) {
                i += 2;
            } else if ("=<>(),*.;".indexOf(c) >= 0) {
                i++;
            } else {
                throw new AdqlException("Unexpected character '" + c + "' at position " + (i + 1));
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    private static int endOfString(String s, int open) {
        int i = open + 1;
        while (i < s.length()) {
            if (s.charAt(i) == '\'') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new AdqlException("Unterminated string starting at position " + (open + 1));
    }}
