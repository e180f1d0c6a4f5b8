package org.soardeferred.transfer;

import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of a 512-byte tar header that the package check and a mirror's unpacking need: the end-of-archive
 * block, the entry's size (octal, or GNU base-256 for 8 GiB and more), its name (with the ustar prefix).
 */
public final class TarHeader {

    public static final int BLOCK = 512;

    private TarHeader() {
    }

    /** An all-zero block: the end of the archive. */
    public static boolean isEnd(byte[] block) {
        for (byte x : block) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** The entry's size in bytes, or -1 when the field is not a number. */
    public static long size(byte[] block) {
        if ((block[124] & 0x80) != 0) { // GNU base-256
            long v = block[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                v = v << 8 | (block[i] & 0xff);
            }
            return v;
        }
        return octal(block, 124, 12);
    }

    /** An octal field (spaces and NULs ignored), or -1 when it holds anything else. */
    static long octal(byte[] block, int off, int len) {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int c = block[i] & 0xff;
            if (c >= '0' && c <= '7') {
                v = v * 8 + (c - '0');
            } else if (c != ' ' && c != 0) {
                return -1;
            }
        }
        return v;
    }

    /** The entry's name: the ustar prefix, if any, then the name field. */
    public static String name(byte[] block) {
        String name = field(block, 0, 100);
        String prefix = new String(block, 257, 6, StandardCharsets.US_ASCII).startsWith("ustar") ? field(block, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String field(byte[] block, int offset, int length) {
        int end = offset;
        while (end < offset + length && block[end] != 0) {
            end++;
        }
        return new String(block, offset, end - offset, StandardCharsets.UTF_8);
    }
}
