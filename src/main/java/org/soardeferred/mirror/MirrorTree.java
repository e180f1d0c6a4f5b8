package org.soardeferred.mirror;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.soardeferred.transfer.TarHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mirror unpacked into SOAR's own layout: each file at {@code ROOT/FILEPATH/FILE_NAME}, FILEPATH as SOAR's
 * repository tables give it. Packages are tar.gz; each entry is written beside its final name as {@code .part},
 * its size checked against the tar header and SOAR's listing, then renamed, so a file is never seen half-written.
 * Paths from the server never leave the root.
 */
public class MirrorTree {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorTree.class);
    private static final int BLOCK = TarHeader.BLOCK;

    private final Path root;

    public MirrorTree(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Where a file of the mirror lives. */
    public Path pathOf(MirrorFile f) {
        String dir = f.filepath == null ? "" : f.filepath.replace('\\', '/').replaceAll("^/+", "");
        String name = f.fileName == null ? "" : f.fileName;
        Path p = root.resolve(dir).resolve(name).normalize();
        if (!p.startsWith(root) || p.equals(root) || name.isBlank() || name.equals(".") || name.equals("..")
                || name.contains("/") || name.contains("\\")) {
            throw new TapException("SOAR's filepath '" + f.filepath + "' for " + f.fileName + " leaves the mirror's folder");
        }
        return p;
    }

    /** The file is in the tree with the size SOAR lists. */
    public boolean has(MirrorFile f) {
        try {
            Path p = pathOf(f);
            return Files.isRegularFile(p) && Files.size(p) == f.size;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Unpacks a package: the entries that are files of {@code wanted} go to their place in the tree; others are
     * skipped (and logged). Returns, by file name, null for each file placed, or why it was not.
     */
    public Map<String, String> unpack(Path pkg, Map<String, MirrorFile> wanted) throws IOException {
        Map<String, String> outcome = new HashMap<>();
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(pkg), 1 << 16), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            String longName = null;
            while (true) {
                if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
                    throw new IOException(pkg.getFileName() + " ends inside a tar header");
                }
                if (TarHeader.isEnd(header)) {
                    break;
                }
                long size = TarHeader.size(header);
                if (size < 0) {
                    throw new IOException(pkg.getFileName() + " holds a tar header whose size is not a number");
                }
                char type = (char) header[156];
                String name = longName != null ? longName : TarHeader.name(header);
                longName = null;
                long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                if (type == 'L') { // GNU long name: the next entry's name
                    longName = new String(in.readNBytes((int) size), StandardCharsets.UTF_8).replace("\0", "");
                    in.skipNBytes(padded - size);
                    continue;
                }
                String base = name.substring(name.lastIndexOf('/') + 1);
                MirrorFile f = wanted.get(base);
                if ((type != '0' && type != 0) || f == null) {
                    if (type == '0' || type == 0) {
                        LOG.info("{}: {} is not one of the files asked for; not placed in the mirror", pkg.getFileName(), name);
                    }
                    in.skipNBytes(padded);
                    continue;
                }
                outcome.put(base, place(in, f, size));
                in.skipNBytes(padded - size);
            }
        }
        for (String name : wanted.keySet()) {
            if (!outcome.containsKey(name)) {
                outcome.put(name, "the package " + pkg.getFileName() + " does not hold " + name);
            }
        }
        return outcome;
    }

    private String place(InputStream in, MirrorFile f, long size) throws IOException {
        Path target = pathOf(f);
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(f.fileName + ".part");
        try (OutputStream out = Files.newOutputStream(part)) {
            long left = size;
            byte[] buffer = new byte[1 << 16];
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("the package ends inside " + f.fileName);
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        if (size != f.size) {
            Files.deleteIfExists(part);
            return f.fileName + " is " + size + " bytes in the package, but SOAR lists " + f.size;
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return null;
    }
}
