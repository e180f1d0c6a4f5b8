package org.soardeferred.simulator;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A deterministic SOAR-like package: a tar.gz holding one file per data item, each of its given size, whose
 * bytes derive from the file name alone. The same items and sizes always give the same bytes. The tar is
 * stored without compression inside the gzip (the content is random), so large packages are cheap to make.
 */
public final class SimulatedPackage {

    private static final int BLOCK = 512;

    private SimulatedPackage() {
    }

    /** One file of a package: its tar entry name and size in bytes. */
    public record Entry(String name, long size) {
    }

    /**
     * Writes a package whose files all have the same size.
     *
     * @param fileNames    the tar entries, in order
     * @param bytesPerFile the size of each
     * @param target       where the tar.gz goes (closed at the end)
     */
    public static void write(List<String> fileNames, long bytesPerFile, OutputStream target) throws IOException {
        write(fileNames.stream().map(name -> new Entry(name, bytesPerFile)).toList(), target);
    }

    /**
     * Writes a package whose files each have their own size.
     *
     * @param files  the tar entries (names and sizes), in order
     * @param target where the tar.gz goes (closed at the end)
     */
    public static void write(List<Entry> files, OutputStream target) throws IOException {
        try (GZIPOutputStream gzip = new GZIPOutputStream(target, 1 << 16) {
            {
                def.setLevel(Deflater.NO_COMPRESSION);
            }
        }) {
            for (Entry file : files) {
                gzip.write(header(file.name(), file.size()));
                writeContent(file.name(), file.size(), gzip);
                int pad = (int) ((BLOCK - file.size() % BLOCK) % BLOCK);
                gzip.write(new byte[pad]);
            }
            gzip.write(new byte[2 * BLOCK]);
        }
    }

    private static void writeContent(String name, long size, OutputStream out) throws IOException {
        SplittableRandom random = new SplittableRandom(name.hashCode() * 0x9E3779B97F4A7C15L);
        byte[] buffer = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(buffer.length, left);
            for (int i = 0; i < n; i += 8) {
                long v = random.nextLong();
                for (int j = 0; j < 8 && i + j < n; j++) {
                    buffer[i + j] = (byte) (v >>> (8 * j));
                }
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /** A POSIX ustar header; mtime fixed so the bytes are reproducible. */
    static byte[] header(String name, long size) {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) {
            throw new IllegalArgumentException("tar entry name too long: " + name);
        }
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        if (size > 077777777777L) {
            // GNU base-256: files of 8 GiB and more (PackageCheck reads both forms)
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        } else {
            octal(h, 124, 12, size);
        }
        octal(h, 136, 12, 1_600_000_000L);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = '0';
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > length - 1) {
            throw new IllegalArgumentException("value too large for tar header: " + value);
        }
        String padded = "0".repeat(length - 1 - s.length()) + s;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, h, offset, length - 1);
        h[offset + length - 1] = 0;
    }
}
