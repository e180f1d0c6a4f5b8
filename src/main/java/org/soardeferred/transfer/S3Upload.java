package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * One multipart upload in progress to a staging key: the parts S3 has, the parts on their way, and the part being
 * filled in memory from one stream. While one part fills, up to soar.s3.parts-in-flight earlier parts are being sent,
 * so memory stays at (parts in flight + 1) parts and the download never waits for S3 unless S3 is the slower of the
 * two. Its position counts the parts on their way: they are in S3 unless the upload fails (and is then aborted).
 */
final class S3Upload {

    static final int MAX_PARTS = 10_000;

    private final S3Bucket s3;
    final String uploadId;
    final String key;
    final int partLength;
    private final int partsInFlight;
    final List<CompletedPart> parts = Collections.synchronizedList(new ArrayList<>());
    private final ArrayDeque<Future<?>> sending = new ArrayDeque<>();
    /** Buffers of parts sent, to fill again. */
    private final ConcurrentLinkedQueue<byte[]> spare = new ConcurrentLinkedQueue<>();
    volatile long uploaded;
    long sent;
    int numbered;
    int filled;
    private byte[] buffer;

    S3Upload(S3Bucket s3, String uploadId, String key, long partLength, int partsInFlight) {
        this.s3 = s3;
        this.uploadId = uploadId;
        this.key = key;
        this.partLength = Math.toIntExact(partLength);
        this.partsInFlight = partsInFlight;
    }

    /** S3's parts of this upload, in the order it lists them. */
    Iterable<Part> listParts() {
        return s3.s3().listPartsPaginator(b -> b.bucket(s3.bucket).key(key).uploadId(uploadId)).parts();
    }

    /** Takes a part S3 has into the parts the upload is completed with. */
    void has(Part p) {
        parts.add(CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build());
        uploaded += p.size();
    }

    long position() {
        return sent + filled;
    }

    /** The part being filled (read back to prime a digest while nothing was sent yet). */
    byte[] buffer() {
        if (buffer == null) {
            byte[] reused = spare.poll();
            buffer = reused != null ? reused : new byte[partLength];
        }
        return buffer;
    }

    /** Streams the body into the upload, part by part; {@code onFailure} aborts the upload when a part fails. */
    void write(InputStream in, Runnable onFailure) throws IOException {
        while (true) {
            byte[] b = buffer();
            int n = in.read(b, filled, b.length - filled);
            if (n < 0) {
                return;
            }
            filled += n;
            if (filled == b.length) {
                sendPart(onFailure);
            }
        }
    }

    /**
     * Hands the filled part to a sender and goes on filling another buffer; waits only when soar.s3.parts-in-flight
     * parts are on their way already. A part that fails aborts the upload (the job then fails or is retried).
     */
    void sendPart(Runnable onFailure) {
        int number = numbered + 1;
        if (number > MAX_PARTS) {
            throw new TransferException(key + " needs more than 10,000 parts of " + partLength + " bytes; raise soar.s3.part-size");
        }
        byte[] b = buffer();
        int length = filled;
        numbered = number;
        sent += length;
        filled = 0;
        buffer = null; // the filled buffer goes to a sender; the next part fills another
        sending.add(s3.senders.submit(() -> {
            String etag = s3.uploadPart(key, uploadId, number, b, length);
            done(CompletedPart.builder().partNumber(number).eTag(etag).build(), length, b);
            return null;
        }));
        while (sending.size() > partsInFlight) {
            awaitOldest(onFailure);
        }
    }

    private synchronized void done(CompletedPart part, int length, byte[] sentBuffer) {
        parts.add(part);
        uploaded += length;
        spare.offer(sentBuffer);
    }

    /** Waits until every part handed to a sender is in S3. */
    void drain(Runnable onFailure) {
        while (!sending.isEmpty()) {
            awaitOldest(onFailure);
        }
    }

    private void awaitOldest(Runnable onFailure) {
        Future<?> oldest = sending.peekFirst();
        try {
            oldest.get();
            sending.removeFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // the service is stopping: the upload is kept, and resumed from S3's parts at the next start
            throw new TransientTransferException("the upload of " + where() + " was interrupted");
        } catch (ExecutionException e) {
            sending.forEach(f -> f.cancel(true));
            sending.clear();
            Throwable cause = e.getCause();
            if (cause instanceof SdkException sdk && S3Bucket.interrupted(sdk)) {
                throw new TransientTransferException("the upload of " + where() + " was interrupted");
            }
            onFailure.run();
            if (cause instanceof SdkException sdk) {
                throw s3.failure("uploading a part of " + where(), sdk);
            }
            throw new TransferException("uploading a part of " + where() + " failed: " + cause);
        }
    }

    /** Starts over from part 1 (the server sent the whole package again); parts not listed at completion are dropped by S3. */
    void restart(Runnable onFailure) {
        drain(onFailure);
        parts.clear();
        uploaded = 0;
        sent = 0;
        numbered = 0;
        filled = 0;
    }

    /** The staged object, for people. */
    String where() {
        return "s3://" + s3.bucket + "/" + key;
    }
}
