package org.soardeferred.transfer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SimulatedPackage;
import org.soardeferred.store.ResultRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A download streamed to its target through the package digest, the way the fetch route writes a folder target. */
class TransferStreamTest {

    @TempDir
    Path dir;

    /** A tar.gz of 3 files, larger than a few digest chunks. */
    private static byte[] packageBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SimulatedPackage.write(List.of("a.cdf", "b.cdf", "c.cdf"), 1_500_000, out);
        return out.toByteArray();
    }

    /** A socket-like stream: reads return at most 70,001 bytes, so reads straddle the digest's chunks. */
    private static InputStream socket(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 70_001));
            }
        };
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void transferToWritesEveryByteOnceAndDigestsTheSameBytes() throws Exception {
        byte[] pkg = packageBytes();
        AtomicLong reported = new AtomicLong();
        TransferStream stream = new TransferStream(socket(pkg), new PackageDigest(), reported::set);
        ByteArrayOutputStream target = new ByteArrayOutputStream();

        assertThat(stream.transferTo(target)).isEqualTo(pkg.length);

        assertThat(target.toByteArray()).isEqualTo(pkg);
        assertThat(stream.count()).isEqualTo(pkg.length);
        assertThat(reported.get()).isEqualTo(pkg.length);
        assertThat(stream.digest().broken()).isNull();
        assertThat(stream.digest().sha256Hex()).isEqualTo(sha256(pkg));
    }

    @Test
    void aDownloadStoppedByItsProgressCallbackWritesNothingOfTheReadThatStoppedIt() throws Exception {
        byte[] pkg = packageBytes();
        AtomicLong accepted = new AtomicLong();
        TransferStream stream = new TransferStream(socket(pkg), new PackageDigest(), count -> {
            if (count > 2_000_000) {
                throw new IllegalStateException("lease lost");
            }
            accepted.set(count);
        });
        ByteArrayOutputStream target = new ByteArrayOutputStream();

        assertThatThrownBy(() -> stream.transferTo(target)).hasMessage("lease lost");
        assertThat(target.size()).isEqualTo(accepted.get()).isGreaterThan(1_000_000);
    }

    @Test
    void theFolderTargetAppendsToTheStoredBytesOnAResumeAndStartsOverOtherwise() throws Exception {
        byte[] pkg = packageBytes();
        int stored = 1_234_567;
        FolderTarget outbox = new FolderTarget(dir);
        ResultRecord r = new ResultRecord("r1", "http://x/r1", (long) pkg.length);
        r.file = "pkg.tar.gz";
        Path part = outbox.part(r);

        // a resume: the server sends the rest, after the stored bytes (the digest primed with them)
        Files.write(part, java.util.Arrays.copyOf(pkg, stored));
        PackageDigest primed = new PackageDigest();
        primed.update(pkg, 0, stored);
        byte[] rest = java.util.Arrays.copyOfRange(pkg, stored, pkg.length);
        outbox.write(null, r, new TransferStream(socket(rest), primed, n -> { }), true);
        assertThat(Files.readAllBytes(part)).isEqualTo(pkg);
        assertThat(primed.sha256Hex()).isEqualTo(sha256(pkg));

        // a server that ignores the Range: the whole package again, over what was stored
        outbox.write(null, r, new TransferStream(socket(pkg), new PackageDigest(), n -> { }), false);
        assertThat(Files.readAllBytes(part)).isEqualTo(pkg);
    }
}
