package org.soardeferred.transfer;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Checks a tar.gz package as its bytes stream past, in the same single pass as the sha256: every gzip member
 * must inflate cleanly and end with a matching CRC-32 and length, and the tar inside must consist of whole
 * entries with valid header checksums. So a package cut short, or corrupted on the way, is caught before it is
 * called done, without reading the file a second time. A result that is not gzip is not checked.
 */
public class PackageCheck {

    private enum State { HEADER, BODY, TRAILER, BETWEEN_MEMBERS }

    private static final int BLOCK = TarHeader.BLOCK;

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] inflated = new byte[64 * 1024];
    private final ByteArrayOutputStream header = new ByteArrayOutputStream();
    private final byte[] trailer = new byte[8];
    private final Tar tar = new Tar();
    private State state = State.HEADER;
    private int trailerLength;
    private long memberLength;
    private int members;
    private boolean gzip = true;
    private String problem;

    public void update(byte[] b, int off, int len) {
        while (len > 0 && gzip && problem == null) {
            switch (state) {
                case BETWEEN_MEMBERS -> {
                    if (b[off] == 0) { // zero padding after the last member is tolerated
                        off++;
                        len--;
                        continue;
                    }
                    state = State.HEADER;
                }
                case HEADER -> {
                    header.write(b[off]);
                    off++;
                    len--;
                    int needed = headerLength(header.toByteArray());
                    if (needed == -2) {
                        if (members == 0) {
                            gzip = false; // not a gzip file at all: nothing to check
                        } else {
                            problem = "data after the end of the gzip stream is not gzip";
                        }
                    } else if (needed > 0 && header.size() == needed) {
                        header.reset();
                        members++;
                        state = State.BODY;
                    }
                }
                case BODY -> {
                    inflater.setInput(b, off, len);
                    try {
                        while (!inflater.finished() && !inflater.needsInput()) {
                            int n = inflater.inflate(inflated);
                            if (n > 0) {
                                crc.update(inflated, 0, n);
                                memberLength += n;
                                tar.update(inflated, n);
                            } else if (inflater.needsDictionary()) {
                                problem = "the gzip stream needs a preset dictionary";
                                return;
                            }
                        }
                    } catch (DataFormatException e) {
                        problem = "the gzip data is corrupt (" + e.getMessage() + ")";
                        return;
                    }
                    int rest = inflater.finished() ? inflater.getRemaining() : 0;
                    off += len - rest;
                    len = rest;
                    if (inflater.finished()) {
                        state = State.TRAILER;
                        trailerLength = 0;
                    }
                }
                case TRAILER -> {
                    int n = Math.min(8 - trailerLength, len);
                    System.arraycopy(b, off, trailer, trailerLength, n);
                    trailerLength += n;
                    off += n;
                    len -= n;
                    if (trailerLength == 8) {
                        if (le32(trailer, 0) != crc.getValue() || le32(trailer, 4) != (memberLength & 0xffffffffL)) {
                            problem = "the gzip checksum or length does not match the data";
                        }
                        inflater.reset();
                        crc.reset();
                        memberLength = 0;
                        state = State.BETWEEN_MEMBERS;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    /** Null when the package is whole (or not gzip); otherwise what is wrong with it. */
    public String finish() {
        inflater.end();
        if (!gzip || problem != null) {
            return problem;
        }
        if (state != State.BETWEEN_MEMBERS) {
            return "the gzip stream is truncated (it ends inside a member)";
        }
        return tar.finish();
    }

    /** -1: need more bytes; -2: not a gzip header; else the header's total length. */
    static int headerLength(byte[] h) {
        if (h.length >= 1 && (h[0] & 0xff) != 0x1f || h.length >= 2 && (h[1] & 0xff) != 0x8b || h.length >= 3 && h[2] != 8) {
            return -2;
        }
        if (h.length < 10) {
            return -1;
        }
        int flags = h[3] & 0xff;
        int pos = 10;
        if ((flags & 4) != 0) {
            if (h.length < pos + 2) {
                return -1;
            }
            pos += 2 + ((h[pos] & 0xff) | (h[pos + 1] & 0xff) << 8);
        }
        for (int flag : new int[] {8, 16}) {
            if ((flags & flag) != 0) {
                do {
                    if (h.length <= pos) {
                        return -1;
                    }
                } while (h[pos++] != 0);
            }
        }
        if ((flags & 2) != 0) {
            pos += 2;
        }
        return h.length < pos ? -1 : pos;
    }

    private static long le32(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
    }

    /** Follows the tar structure: 512-byte headers with valid checksums, each followed by its padded content. */
    static final class Tar {
        private final byte[] block = new byte[BLOCK];
        private int blockFill;
        private long skip;
        private boolean ended;
        private int entries;
        private String problem;

        void update(byte[] b, int len) {
            int off = 0;
            while (off < len && problem == null) {
                if (ended) {
                    return; // padding after the end-of-archive marker
                }
                if (skip > 0) {
                    int n = (int) Math.min(skip, len - off);
                    skip -= n;
                    off += n;
                    continue;
                }
                int n = Math.min(BLOCK - blockFill, len - off);
                System.arraycopy(b, off, block, blockFill, n);
                blockFill += n;
                off += n;
                if (blockFill == BLOCK) {
                    blockFill = 0;
                    header();
                }
            }
        }

        private void header() {
            if (TarHeader.isEnd(block)) {
                ended = true;
                return;
            }
            long stored = TarHeader.octal(block, 148, 8);
            long sum = 0;
            long signedSum = 0;
            for (int i = 0; i < BLOCK; i++) {
                sum += i >= 148 && i < 156 ? ' ' : block[i] & 0xff;
                signedSum += i >= 148 && i < 156 ? ' ' : block[i];
            }
            if (stored != sum && stored != signedSum) {
                problem = "the package is not a valid tar (header checksum mismatch after " + entries + " entries)";
                return;
            }
            long size = TarHeader.size(block);
            skip = (size + BLOCK - 1) / BLOCK * BLOCK;
            entries++;
        }

        String finish() {
            if (problem != null) {
                return problem;
            }
            if (skip > 0 || blockFill > 0) {
                return "the tar inside the package is truncated (it ends inside entry " + entries + ")";
            }
            return null;
        }
    }
}
