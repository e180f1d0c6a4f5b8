package org.soardeferred.transfer;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The pieces of a segmented download to S3, uploaded as the parts of its multipart upload (piece i as part i + 1),
 * concurrently, from memory: each piece is held from its first byte until it is both uploaded and digested, so
 * memory stays at about (connections + a few) pieces whatever S3's pace. No local copy.
 */
final class S3Pieces implements PieceTarget {

    private final S3Bucket s3;
    private final S3Upload u;
    private final Pieces pieces;
    private final Map<Integer, byte[]> buffers = new ConcurrentHashMap<>();
    /**
     * Buffers of pieces uploaded and digested, filled again by the next pieces: a download allocates at most as
     * many as it has room for, instead of a new part-sized array (a humongous object in G1) for every piece.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> spare = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Map<Integer, Future<?>> uploading = new ConcurrentHashMap<>();
    /** Pieces uploaded (or whose upload failed) or digested (each needs both before its buffer is free). */
    private final Map<Integer, Integer> done = new ConcurrentHashMap<>();
    /**
     * The pieces in memory at once, whatever S3's pace: the window ahead of the digest, and at least one piece
     * more, whose upload always ends (so a connection waiting for room never waits for good).
     */
    private final Semaphore room;

    S3Pieces(S3Bucket s3, S3Upload u, Pieces pieces, int connections) {
        this.s3 = s3;
        this.u = u;
        this.pieces = pieces;
        this.room = new Semaphore(window(connections) + 1);
    }

    @Override
    public void write(int piece, long position, byte[] bytes, int offset, int length) throws IOException {
        byte[] b = buffers.get(piece);
        if (b == null) {
            b = bufferFor(piece);
        }
        System.arraycopy(bytes, offset, b, Math.toIntExact(position - pieces.start(piece)), length);
    }

    /** The buffer of a piece's first bytes, once there is room (two connections may bring the halves of a piece). */
    private synchronized byte[] bufferFor(int piece) throws IOException {
        byte[] b = buffers.get(piece);
        if (b != null) {
            return b;
        }
        try {
            room.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for room for a part");
        }
        int size = Math.toIntExact(pieces.length(piece));
        b = spare.poll();
        if (b == null || b.length < size) {
            b = new byte[size]; // (a spare shorter than the piece can only be the last piece's: it goes)
        }
        buffers.put(piece, b);
        return b;
    }

    @Override
    public void whole(int piece) {
        byte[] b = buffers.get(piece);
        int length = Math.toIntExact(pieces.length(piece));
        int number = piece + 1;
        uploading.put(piece, s3.senders.submit(() -> {
            try {
                String etag = s3.uploadPart(u.key, u.uploadId, number, b, length);
                synchronized (u) {
                    // a piece fetched again (all were stored, the last is asked for to finish) replaces its part
                    if (!u.parts.removeIf(p -> p.partNumber() == number)) {
                        u.uploaded += length;
                    }
                    u.parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                    u.sent = u.uploaded;
                }
                pieces.stored(piece);
            } finally {
                release(piece); // a failed part is fetched again by the next attempt (finish() says why)
            }
            return null;
        }));
    }

    @Override
    public void digest(int piece, long from, PackageDigest digest) {
        byte[] b = buffers.get(piece);
        int at = Math.toIntExact(Math.max(0, from - pieces.start(piece)));
        int length = Math.toIntExact(pieces.length(piece));
        if (digest != null && b != null && at < length) {
            digest.update(b, at, length - at);
        }
        release(piece);
    }

    /** Uploaded and digested: the buffer goes, and makes room for another piece. */
    private void release(int piece) {
        if (done.merge(piece, 1, Integer::sum) >= 2) {
            done.remove(piece);
            byte[] b = buffers.remove(piece);
            if (b != null) {
                spare.offer(b); // uploaded and digested: nothing reads it any more
                room.release();
            }
        }
    }

    @Override
    public boolean readsBack() {
        return false;
    }

    /** A piece in memory is a part (5 MiB or more): connections run only a piece or two ahead of the digest. */
    @Override
    public int window(int connections) {
        return connections + 1;
    }

    @Override
    public void finish() throws IOException {
        for (var e : new TreeMap<>(uploading).entrySet()) {
            try {
                e.getValue().get();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new TransientTransferException("the upload of " + u.where() + " was interrupted");
            } catch (ExecutionException ex) {
                Throwable cause = ex.getCause();
                if (cause instanceof SdkException sdk) {
                    throw s3.failure("uploading part " + (e.getKey() + 1) + " of " + u.where(), sdk);
                }
                throw new TransferException("uploading a part of " + u.where() + " failed: " + cause);
            }
        }
    }

    @Override
    public void close() {
        uploading.values().forEach(f -> f.cancel(true));
        buffers.clear();
        spare.clear();
    }
}
