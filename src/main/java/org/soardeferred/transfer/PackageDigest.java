package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What is computed over a package's bytes in their single pass: the count, the sha256 and the streaming
 * gzip/tar check. Carried from one attempt to the next when a download resumes in the same process.
 * <p>
 * The sha256 and the check run on another core than the download: bytes go into 1 MiB chunks that a worker
 * digests in order while the downloading thread goes on reading and writing. A download can read straight into
 * the chunk being filled ({@link #chunk()}, {@link #filled(int)}), so its bytes are not copied for the digest;
 * other bytes are copied in ({@link #update}). At most {@value #CHUNKS} chunks are in flight per package (the
 * download waits when the digest falls behind), so memory stays bounded.
 */
public final class PackageDigest {

    static final int CHUNK = 1 << 20;
    static final int CHUNKS = 4;
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "package-digest");
        t.setDaemon(true);
        return t;
    });

    private final MessageDigest sha256 = Sha256.newDigest();
    private final PackageCheck check = new PackageCheck();
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
    private int allocated;
    private byte[] filling;
    private int filled;
    /** The last chunk handed to the worker: chunks are digested one after the other, in order. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private long count;

    /**
     * The chunk being filled, to read bytes into from {@link #position()} on; {@link #filled(int)} then says how
     * many were read. Its bytes stay as they are until the next call of this method.
     */
    public byte[] chunk() {
        if (filling == null) {
            filling = freeChunk();
        }
        return filling;
    }

    /** Where the next bytes go in {@link #chunk()}. */
    public int position() {
        return filled;
    }

    /** {@code length} bytes were read into {@link #chunk()} at {@link #position()}: they are digested. */
    public void filled(int length) {
        count += length;
        filled += length;
        if (filled == CHUNK) {
            handOff();
        }
    }

    public void update(byte[] buffer, int offset, int length) {
        count += length;
        while (length > 0) {
            if (filling == null) {
                filling = freeChunk();
            }
            int n = Math.min(length, CHUNK - filled);
            System.arraycopy(buffer, offset, filling, filled, n);
            filled += n;
            offset += n;
            length -= n;
            if (filled == CHUNK) {
                handOff();
            }
        }
    }

    private void handOff() {
        byte[] chunk = filling;
        int n = filled;
        filling = null;
        filled = 0;
        tail = tail.thenRunAsync(() -> {
            sha256.update(chunk, 0, n);
            check.update(chunk, 0, n);
            free.add(chunk);
        }, WORKERS);
    }

    private byte[] freeChunk() {
        byte[] chunk = free.poll();
        if (chunk != null) {
            return chunk;
        }
        if (allocated < CHUNKS) {
            allocated++;
            return new byte[CHUNK];
        }
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the package digest caught up", e);
        }
    }

    /** Waits until the worker has digested every byte given so far. */
    private void drain() {
        if (filled > 0) {
            handOff();
        }
        tail.join();
    }

    /** Reads a stream to its end through this digest (bytes stored before a resume, or a stored package). */
    public void updateFrom(InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            update(buffer, 0, n);
        }
    }

    /** Bytes seen so far. */
    public long count() {
        return count;
    }

    /** Null when the bytes seen make a well-formed package, or why they do not. */
    public String broken() {
        drain();
        return check.finish();
    }

    public String sha256Hex() {
        drain();
        return HexFormat.of().formatHex(sha256.digest());
    }
}
