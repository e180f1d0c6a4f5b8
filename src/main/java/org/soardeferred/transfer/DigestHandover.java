package org.soardeferred.transfer;

/**
 * The package digest of a {@link SegmentedDownload}, fed by one at a time: the in-order pass over whole pieces, or
 * the connection that brings the very bytes it needs next (it feeds them on the way in, as one stream does, and the
 * pass skips them). Tracks how far the digest has seen the package, in order from its first byte.
 */
final class DigestHandover {

    /** Null: the pieces stored before cannot be read back (the target verifies the package once it is whole). */
    private final PackageDigest digest;
    // guarded by this
    private long digested;
    private boolean held;

    DigestHandover(PackageDigest digest) {
        this.digest = digest;
    }

    /**
     * For the in-order pass over a whole piece ending at byte {@code end}: the byte the digest needs next, the
     * digest then held by the pass when that byte lies in the piece; beyond it, the piece went through the digest
     * on the way in, and nothing is held. No connection holds the digest for bytes of a whole piece: the one that
     * brought them released it before the piece was whole.
     */
    synchronized long holdFor(long end) {
        if (digested <= end) {
            if (held) {
                throw new IllegalStateException("the digest is held for bytes of a whole piece (byte " + digested + ")");
            }
            held = true;
        }
        return digested;
    }

    /** How far the digest has seen the package: the first byte it has not. */
    synchronized long position() {
        return digested;
    }

    /**
     * For a connection about to bring bytes from {@code from}: the digest, now held by that connection, when those
     * are the bytes it needs next and no one else feeds it; else null.
     */
    synchronized PackageDigest holdAt(long from) {
        if (digest == null || held || from != digested) {
            return null;
        }
        held = true;
        return digest;
    }

    /** Handed back by whoever held it: the digest has seen the package up to where it counts. */
    synchronized void release() {
        if (digest != null) {
            digested = digest.count();
        }
        held = false;
        notifyAll();
    }

    /** The digest, or null when there is none. */
    PackageDigest digest() {
        return digest;
    }
}
