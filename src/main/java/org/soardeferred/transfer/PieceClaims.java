package org.soardeferred.transfer;

import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The pieces of a {@link SegmentedDownload} as its connections take them: which are whole (stored, or on their way
 * to being stored), which are under way and how many bytes of each are stored, how far the in-order digest has
 * come, and so which piece a connection takes next: the first neither whole nor under way, at most a window of
 * pieces ahead of the digest. Not thread-safe: the download guards it with its monitor.
 */
final class PieceClaims {

    /** {@link #claim}: the next piece is beyond the window; wait for the digest. */
    static final int WAIT = -2;

    private final int count;
    private final int window;
    private final BitSet whole = new BitSet();
    private final Set<Integer> inFlight = new HashSet<>();
    /** Bytes stored of pieces not whole (a piece given back keeps them: the next connection goes on from there). */
    private final Map<Integer, Long> partial = new HashMap<>();
    private final long pieceSize;
    private final DigestHandover digest;
    private int digested;

    PieceClaims(Pieces pieces, int window, DigestHandover digest) {
        this.count = pieces.count();
        this.pieceSize = pieces.pieceSize();
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

    /**
     * The end of the window: as many pieces as it holds after the first piece the digest has not passed (a
     * connection that fed the digest on the way may be ahead of the in-order pass, which then has yet to say so).
     */
    private int windowEnd() {
        return (int) Math.max(digested, digest.position() / pieceSize) + window;
    }

    /** A piece that no connection has, not whole, within the window ahead of the digest, exists. */
    boolean claimable() {
        int i = nextUnclaimed();
        return i >= 0 && i < windowEnd();
    }

    /** Takes the next piece for a connection: its number, -1 when none is left, {@link #WAIT} when the window is full. */
    int claim() {
        int i = nextUnclaimed();
        if (i < 0) {
            return -1;
        }
        if (i < windowEnd()) {
            inFlight.add(i);
            return i;
        }
        return WAIT;
    }

    /**
     * Takes the pieces after {@code last} (a piece just taken) that follow it without a gap, neither whole nor under
     * way, within the window, for the same request; returns the last piece taken.
     */
    int takeFollowing(int last) {
        int j = last + 1;
        int end = windowEnd();
        while (j < count && j < end && !whole.get(j) && !inFlight.contains(j)) {
            inFlight.add(j++);
        }
        return j - 1;
    }

    /** Piece i is under way (the first GET's piece). */
    void take(int i) {
        inFlight.add(i);
    }

    /** Piece i is no longer under way, and not whole (its connection was refused). */
    void giveBack(int i) {
        inFlight.remove(i);
    }

    /** Piece i has {@code stored} bytes stored. */
    void progress(int i, long stored) {
        partial.put(i, stored);
    }

    long partialOf(int i) {
        return partial.getOrDefault(i, 0L);
    }

    void whole(int i) {
        whole.set(i);
        inFlight.remove(i);
        partial.remove(i);
    }

    /** The first piece neither whole nor under way, or -1. */
    private int nextUnclaimed() {
        int i = whole.nextClearBit(0);
        while (i < count && inFlight.contains(i)) {
            i = whole.nextClearBit(i + 1);
        }
        return i < count ? i : -1;
    }
}
