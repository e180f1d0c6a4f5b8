package org.soardeferred.transfer;

import java.util.BitSet;

/**
 * A package cut into pieces of a fixed size (the last one shorter) for a segmented download, and which of them are
 * stored. Kept in the job store with the result ({@link #format()} / {@link #parse}), so that after a dropped
 * connection, a restart or a takeover only the missing pieces are fetched again.
 */
public final class Pieces {

    /** The most a segmented download's first request asks for. */
    public static final long PROBE = 1L << 20;

    private final long total;
    private final long pieceSize;
    private final int count;
    private final BitSet stored;

    public Pieces(long total, long pieceSize) {
        this(total, pieceSize, new BitSet());
    }

    private Pieces(long total, long pieceSize, BitSet stored) {
        if (total <= 0 || pieceSize <= 0) {
            throw new IllegalArgumentException("pieces of " + pieceSize + " bytes of a package of " + total);
        }
        this.total = total;
        this.pieceSize = pieceSize;
        long n = (total + pieceSize - 1) / pieceSize;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many pieces: " + n);
        }
        this.count = (int) n;
        this.stored = stored;
    }

    public long total() {
        return total;
    }

    public long pieceSize() {
        return pieceSize;
    }

    public int count() {
        return count;
    }

    /** The first byte of piece i. */
    public long start(int i) {
        return i * pieceSize;
    }

    /** The last byte of piece i (inclusive, as in a Range header). */
    public long end(int i) {
        return Math.min(total, (i + 1L) * pieceSize) - 1;
    }

    /**
     * The last byte a segmented download's first request (the probe, on the fetch route's own connection) asks for
     * of piece i: at most {@link #PROBE} bytes. The rest of the piece is left to the download's connections, which
     * can split it at the tail; the probe's reply is read to its end.
     */
    public long probeEnd(int i) {
        return Math.min(end(i), start(i) + PROBE - 1);
    }

    public long length(int i) {
        return end(i) - start(i) + 1;
    }

    public synchronized boolean isStored(int i) {
        return stored.get(i);
    }

    public synchronized void stored(int i) {
        stored.set(i);
    }

    /** The first piece not stored at or after {@code from}, or -1 when there is none. */
    public synchronized int nextMissing(int from) {
        int i = stored.nextClearBit(Math.max(0, from));
        return i < count ? i : -1;
    }

    /** How many pieces from the first are all stored: the prefix that can be verified in one pass. */
    public synchronized int storedPrefix() {
        return Math.min(count, stored.nextClearBit(0));
    }

    /** Bytes in the stored pieces. */
    public synchronized long storedBytes() {
        long bytes = 0;
        for (int i = stored.nextSetBit(0); i >= 0 && i < count; i = stored.nextSetBit(i + 1)) {
            bytes += length(i);
        }
        return bytes;
    }

    /** The end (exclusive) of the last stored piece: the part file holds at least this many bytes. */
    public synchronized long storedEnd() {
        int last = stored.previousSetBit(count - 1);
        return last < 0 ? 0 : end(last) + 1;
    }

    public synchronized boolean complete() {
        return stored.nextClearBit(0) >= count;
    }

    /** "TOTAL/PIECE_SIZE/RANGES", e.g. {@code 104857600/8388608/0-4,7}: what the job store keeps. */
    public synchronized String format() {
        StringBuilder ranges = new StringBuilder();
        for (int i = stored.nextSetBit(0); i >= 0 && i < count; ) {
            int end = Math.min(count, stored.nextClearBit(i)) - 1;
            ranges.append(ranges.length() == 0 ? "" : ",").append(i).append(end > i ? "-" + end : "");
            i = stored.nextSetBit(end + 1);
        }
        return total + "/" + pieceSize + "/" + ranges;
    }

    /** The pieces the store kept, or null when the text is not of {@link #format()} (then nothing is trusted). */
    public static Pieces parse(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split("/", -1);
        try {
            Pieces p = new Pieces(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
            if (parts.length != 3) {
                return null;
            }
            for (String range : parts[2].isEmpty() ? new String[0] : parts[2].split(",")) {
                int dash = range.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
                if (from < 0 || to < from || to >= p.count) {
                    return null;
                }
                p.stored.set(from, to + 1);
            }
            return p;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
