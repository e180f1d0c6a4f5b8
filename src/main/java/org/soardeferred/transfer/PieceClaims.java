package org.soardeferred.transfer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pieces of a {@link SegmentedDownload} as its connections take them: which are whole (stored, or on their way
 * to being stored), which parts of the others are under way and how far each has come, how far the in-order digest
 * has come, and so what a connection takes next: the first missing piece, at most a window of pieces ahead of the
 * digest. Once no piece is left to take, an idle connection takes the second half of what is left of the part
 * under way with the most bytes to go (as aria2c does), so that the last pieces do not end at the pace of one
 * connection each. Not thread-safe: the download guards it with its monitor.
 */
final class PieceClaims {

    /** {@link #claim}: the next piece is beyond the window; wait for the digest. */
    static final Part WAIT = new Part(-1, 0, -1);
    /** A part is split only when each half has at least this many bytes (a request of its own is worth it). */
    static final long SPLIT_AT_LEAST = 1L << 20;

    /** Bytes {@code next} to {@code last} of a piece, fetched by one connection at a time. */
    static final class Part {
        final int piece;
        /** The first byte not yet stored. Written under the download's monitor. */
        volatile long next;
        /** The last byte this part's connection fetches: lowered when its second half is taken by another. */
        volatile long last;
        boolean held;
        /** Its connection's request ends with it, and may stop short: the part may be split (guarded as the claims). */
        boolean splittable;
        /** Its connection has stored it to its last byte (guarded as the claims). */
        boolean stored;

        Part(int piece, long next, long last) {
            this.piece = piece;
            this.next = next;
            this.last = last;
        }

        boolean done() {
            return next > last;
        }

        @Override
        public String toString() {
            return "piece " + piece + " (bytes " + next + "-" + last + ")";
        }
    }

    private final Pieces pieces;
    private final int count;
    private final int window;
    private final DigestHandover digest;
    private final BitSet whole = new BitSet();
    /** The parts of the pieces taken and not yet whole, by piece. */
    private final Map<Integer, List<Part>> parts = new TreeMap<>();
    private int digested;

    PieceClaims(Pieces pieces, int window, DigestHandover digest) {
        this.pieces = pieces;
        this.count = pieces.count();
        this.window = window;
        this.digest = digest;
        for (int i = 0; i < count; i++) {
            if (pieces.isStored(i)) {
                whole.set(i);
            }
        }
    }

    boolean isWhole(int i) {
        return whole.get(i);
    }

    /** The pieces before {@code d} went through the in-order pass. */
    void digestedUpTo(int d) {
        digested = d;
    }

    /** A connection would find a part to take now. */
    boolean claimable() {
        Part p = next();
        return p != null && p != WAIT || p == null && largestSplittable() != null;
    }

    /**
     * Takes a part for a connection: the first missing piece (or what is left of a part given back) within the
     * window; once none is left, the second half of the part under way with the most bytes to go. Null when nothing
     * is left to take; {@link #WAIT} when the window is full.
     */
    Part claim() {
        Part p = next();
        if (p == WAIT) {
            return WAIT;
        }
        if (p == null) {
            Part split = largestSplittable();
            if (split == null) {
                return null;
            }
            long half = split.next + (split.last - split.next + 1) / 2;
            p = new Part(split.piece, half, split.last);
            split.last = half - 1;
            parts.get(split.piece).add(p);
        } else if (!parts.containsKey(p.piece)) {
            p = take(p.piece); // a piece not yet taken
        }
        p.held = true;
        p.splittable = true; // (at once, so that another connection finds it: not after the request is made)
        return p;
    }

    /**
     * Takes the first bytes of piece i for the first GET (the probe: its reply is read to the end, never split);
     * the rest of the piece is left for any connection. A piece stored before (all were: the last is fetched again
     * to finish) is taken whole.
     */
    Part takeProbe(int i) {
        Part probe = take(i);
        if (whole.get(i)) {
            return probe;
        }
        probe.last = pieces.probeEnd(i);
        if (probe.last < pieces.end(i)) {
            parts.get(i).add(new Part(i, probe.last + 1, pieces.end(i)));
        }
        return probe;
    }

    /** Takes piece i whole. */
    private Part take(int i) {
        Part p = new Part(i, pieces.start(i), pieces.end(i));
        p.held = true;
        parts.computeIfAbsent(i, k -> new ArrayList<>()).add(p);
        return p;
    }

    /**
     * The parts a connection that just took {@code first} asks for in one request: it, and with {@code run} (a
     * whole piece) the pieces that follow without a gap, neither whole nor taken, within the window. The last may
     * be split: its connection then stops where the other begins.
     */
    List<Part> request(Part first, boolean run) {
        List<Part> request = new ArrayList<>(List.of(first));
        if (run && first.last == pieces.end(first.piece)) {
            int end = windowEnd();
            for (int j = first.piece + 1; j < count && j < end && !whole.get(j) && !parts.containsKey(j); j++) {
                request.add(take(j));
            }
        }
        request.forEach(p -> p.splittable = false);
        request.get(request.size() - 1).splittable = true;
        return request;
    }

    /** {@code p}'s connection was refused: its part is left for another (with the bytes it stored). */
    void giveBack(Part p) {
        p.held = false;
        p.splittable = false;
        if (p.next == pieces.start(p.piece) && p.last == pieces.end(p.piece)) {
            parts.remove(p.piece); // untouched: the piece is taken again whole
        }
    }

    /**
     * Part p is stored up to its last byte; true for the one caller whose part was the last of its piece to be
     * stored: it then tells the target, and {@link #whole} the claims.
     */
    boolean stored(Part p) {
        p.held = false;
        p.splittable = false;
        p.stored = true;
        return parts.get(p.piece).stream().allMatch(q -> q.stored);
    }

    void whole(int i) {
        parts.remove(i);
        whole.set(i);
    }

    /** The first part no connection holds: what is left of one given back or cut, or a piece not yet taken. */
    private Part next() {
        int end = windowEnd();
        for (int i = whole.nextClearBit(0); i < count; i = whole.nextClearBit(i + 1)) {
            List<Part> of = parts.get(i);
            Part free = of == null ? new Part(i, pieces.start(i), pieces.end(i))
                    : of.stream().filter(p -> !p.held && !p.done()).findFirst().orElse(null);
            if (free != null) {
                return i < end ? free : WAIT;
            }
        }
        return null;
    }

    /** The part under way with the most bytes to go, when each of its halves would be worth a request. */
    private Part largestSplittable() {
        Part largest = null;
        for (List<Part> of : parts.values()) {
            for (Part p : of) {
                long left = p.last - p.next + 1;
                if (p.held && p.splittable && left >= 2 * SPLIT_AT_LEAST && (largest == null || left > largest.last - largest.next + 1)) {
                    largest = p;
                }
            }
        }
        return largest;
    }

    /**
     * The end of the window: as many pieces as it holds after the first piece the digest has not passed (a
     * connection that fed the digest on the way may be ahead of the in-order pass, which then has yet to say so).
     */
    private int windowEnd() {
        return (int) Math.max(digested, digest.position() / pieces.pieceSize()) + window;
    }
}
