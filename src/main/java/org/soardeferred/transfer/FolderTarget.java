package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;

/**
 * The output folder (the default target): packages grow under {@code NAME.tar.gz.part} (one stream appended to,
 * or pieces written at their offsets) and are renamed once verified; manifests are written atomically. Every name
 * stays inside the folder, whatever the server or the query file called things.
 */
public class FolderTarget implements Target {

    private static final Logger LOG = LoggerFactory.getLogger(FolderTarget.class);

    private final Path folder;

    public FolderTarget(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
    }

    /** A file of the folder; a name that would leave it is refused. */
    public Path resolve(String name) {
        Path p = folder.resolve(name).normalize();
        if (!p.getParent().equals(folder)) {
            throw new SecurityException("'" + name + "' would leave the output folder");
        }
        return p;
    }

    /** Where the package of a result grows until it is verified: NAME.tar.gz.part. */
    public Path part(ResultRecord r) {
        return resolve(r.file + Outbox.PART_SUFFIX);
    }

    @Override
    public String location(String name) {
        return resolve(name).toString();
    }

    @Override
    public boolean exists(String name) {
        return Files.exists(resolve(name)) || Files.exists(resolve(name + Outbox.PART_SUFFIX));
    }

    @Override
    public boolean isPresent(String name) {
        return Files.exists(resolve(name));
    }

    @Override
    public void putManifest(String name, byte[] json) {
        Path target = resolve(name);
        try {
            Files.createDirectories(folder);
            Path tmp = resolve("." + name + ".tmp");
            Files.write(tmp, json);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the manifest " + target, e);
        }
    }

    /** A hard link to the delivered package (a copy where the file system has none). */
    @Override
    public String serve(String original, String copy) throws IOException {
        try {
            link(resolve(copy), resolve(original));
        } catch (IOException | UnsupportedOperationException e) {
            // a copy is made under another name and renamed once whole: never half-written under its final name
            Path partial = resolve("." + copy + ".copying");
            try {
                Files.copy(resolve(original), partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, resolve(copy), StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        return copy;
    }

    /** A hard link to a delivered package (file systems without hard links: a copy instead). */
    protected void link(Path link, Path existing) throws IOException {
        Files.createLink(link, existing);
    }

    @Override
    public void unserve(String copy) throws IOException {
        Files.deleteIfExists(resolve(copy));
    }

    /** Writable when the folder (or the nearest existing parent) is; its free space. */
    @Override
    public Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", toString());
        Path existing = folder;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        boolean up = existing != null && Files.isDirectory(existing) && Files.isWritable(existing);
        m.put("up", up);
        m.put("message", up ? (existing.equals(folder) ? "writable" : "will be created (" + existing + " is writable)")
                : existing == null ? "no such folder" : existing + " is not a writable folder");
        try {
            m.put("freeBytes", existing == null ? null : Files.getFileStore(existing).getUsableSpace());
        } catch (IOException e) {
            m.put("freeBytes", null);
        }
        return m;
    }

    // --- one package -----------------------------------------------------------------------------------------

    /** The bytes in NAME.tar.gz.part (dropped when there are more than the result has). */
    @Override
    public long open(JobRecord job, ResultRecord r) throws IOException {
        Files.createDirectories(folder);
        Path part = part(r);
        long onDisk = Files.exists(part) ? Files.size(part) : 0;
        if (r.size != null && onDisk > r.size) {
            LOG.warn("{}: {} has {} bytes, more than the {} of the result; starting over", job, part.getFileName(), onDisk, r.size);
            Files.delete(part);
            onDisk = 0;
        }
        return onDisk;
    }

    @Override
    public long stored(ResultRecord r) {
        try {
            Path part = part(r);
            return Files.exists(part) ? Files.size(part) : Files.exists(resolve(r.file)) ? Files.size(resolve(r.file)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public boolean prime(JobRecord job, ResultRecord r, PackageDigest digest) throws IOException {
        try (InputStream in = Files.newInputStream(part(r))) {
            digest.updateFrom(in);
        }
        return true;
    }

    @Override
    public void restart(JobRecord job, ResultRecord r) {
        // write() starts the part over (the download is not a resume)
    }

    /** Appends to NAME.tar.gz.part, or starts it over; the bytes are written from the digest's own buffer. */
    @Override
    public void write(JobRecord job, ResultRecord r, TransferStream stream, boolean append) throws IOException {
        Files.createDirectories(folder);
        try (FileChannel part = FileChannel.open(part(r), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            stream.transferTo(Channels.newOutputStream(part));
        }
    }

    @Override
    public long pieceSize(ResultRecord r, long configured) {
        return configured;
    }

    /**
     * Those recorded by an earlier attempt when NAME.tar.gz.part still holds them; else a new plan, in which the
     * bytes a single stream stored before count as the pieces they fill.
     */
    @Override
    public Pieces storedPieces(JobRecord job, ResultRecord r, Pieces recorded, long pieceSize) throws IOException {
        Path part = part(r);
        long onDisk = Files.exists(part) ? Files.size(part) : 0;
        if (recorded != null && recorded.storedEnd() <= onDisk) {
            return recorded;
        }
        if (recorded != null) {
            LOG.warn("{}: the pieces recorded for {} are not all in {} ({} bytes); fetching it all again", job, r.file,
                    part.getFileName(), onDisk);
        }
        Pieces plan = new Pieces(r.size, pieceSize);
        if (recorded == null && r.pieces == null) {
            for (int i = 0; i < plan.count() && plan.end(i) < onDisk; i++) {
                plan.stored(i);
            }
        }
        return plan;
    }

    /** Written at their offsets into NAME.tar.gz.part. */
    @Override
    public PieceTarget pieces(JobRecord job, ResultRecord r, Pieces pieces, int connections) throws IOException {
        return new FolderPieces(part(r), pieces);
    }

    /** Renames NAME.tar.gz.part to its final name. */
    @Override
    public String publish(JobRecord job, ResultRecord r, String verified, String name) throws IOException {
        Files.move(part(r), resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return verified;
    }

    @Override
    public void discard(JobRecord job, ResultRecord r) {
        try {
            if (r.file != null) {
                Files.deleteIfExists(part(r));
            }
        } catch (IOException e) {
            LOG.warn("{}: cannot delete {}: {}", job, part(r), e.getMessage());
        }
    }

    @Override
    public String toString() {
        return folder.toString();
    }
}
