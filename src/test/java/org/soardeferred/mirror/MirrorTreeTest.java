package org.soardeferred.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SimulatedPackage;

/** Packages unpacked into a mirror's tree: ROOT/FILEPATH/FILE_NAME, sizes checked, nothing outside ROOT. */
class MirrorTreeTest {

    @TempDir
    Path tmp;
    Path root;
    MirrorTree tree;

    @BeforeEach
    void makeTree() throws IOException {
        root = Files.createDirectories(tmp.resolve("mirror"));
        tree = new MirrorTree(root);
    }

    // ---- a hand-made tar.gz ------------------------------------------------------------------------------

    /** One tar entry: its name, type flag and content; the header's size may lie. */
    record Entry(String name, char type, byte[] content, long headerSize) {
        static Entry file(String name, byte[] content) {
            return new Entry(name, '0', content, content.length);
        }
    }

    private static byte[] bytes(String name, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (name.hashCode() * 31 + i * 7);
        }
        return b;
    }

    private static byte[] header(String name, char type, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_700_000_000L);
        h[156] = (byte) type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String s = Long.toOctalString(value);
        s = "0".repeat(length - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, offset, length - 1);
    }

    private Path tarGz(String fileName, Entry... entries) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (Entry e : entries) {
            tar.write(header(e.name(), e.type(), e.headerSize()));
            tar.write(e.content());
            tar.write(new byte[(int) ((512 - e.content().length % 512) % 512)]);
        }
        tar.write(new byte[1024]);
        Path pkg = tmp.resolve(fileName);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(pkg))) {
            out.write(tar.toByteArray());
        }
        return pkg;
    }

    private static MirrorFile file(String name, String filepath, long size) {
        MirrorFile f = new MirrorFile(name, name.replace(".cdf", ""), "V01", size, "2024-03-11T00:00:00", "SCI");
        f.filepath = filepath;
        return f;
    }

    private static Map<String, MirrorFile> wanted(MirrorFile... files) {
        Map<String, MirrorFile> m = new LinkedHashMap<>();
        for (MirrorFile f : files) {
            m.put(f.fileName, f);
        }
        return m;
    }

    private List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** Every regular file under tmp outside the tree, except the packages the test wrote. */
    private List<Path> strayFilesOutsideRoot() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : filesUnder(tmp)) {
            if (!p.startsWith(root) && !p.getFileName().toString().endsWith(".tar.gz")) {
                out.add(p);
            }
        }
        return out;
    }

    private List<Path> partFiles() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        }
    }

    // ---- placing files -----------------------------------------------------------------------------------

    @Test
    void placesEachWantedFileAtRootFilepathFileNameWithItsBytes() throws IOException {
        byte[] a = bytes("a", 700);
        byte[] b = bytes("b", 1024);
        byte[] c = bytes("c", 0);
        Path pkg = tarGz("p.tar.gz", Entry.file("solo_L2_mag_a.cdf", a), Entry.file("some/dir/solo_L2_mag_b.cdf", b),
                Entry.file("solo_L2_mag_c.cdf", c));
        MirrorFile fa = file("solo_L2_mag_a.cdf", "L2/mag/2024/03", 700);
        MirrorFile fb = file("solo_L2_mag_b.cdf", "L2/mag/2024/04", 1024);
        MirrorFile fc = file("solo_L2_mag_c.cdf", "L2/mag/2024/04", 0);

        Map<String, String> outcome = tree.unpack(pkg, wanted(fa, fb, fc));

        assertThat(outcome).containsOnlyKeys("solo_L2_mag_a.cdf", "solo_L2_mag_b.cdf", "solo_L2_mag_c.cdf");
        assertThat(outcome.values()).containsOnlyNulls();
        assertThat(root.resolve("L2/mag/2024/03/solo_L2_mag_a.cdf")).hasBinaryContent(a);
        assertThat(root.resolve("L2/mag/2024/04/solo_L2_mag_b.cdf")).hasBinaryContent(b);
        assertThat(root.resolve("L2/mag/2024/04/solo_L2_mag_c.cdf")).hasBinaryContent(c);
        assertThat(filesUnder(root)).hasSize(3);
        assertThat(partFiles()).isEmpty();
        assertThat(tree.has(fa)).isTrue();
        assertThat(tree.has(fb)).isTrue();
        assertThat(tree.has(fc)).isTrue();
    }

    @Test
    void entriesThatAreNotWantedAreSkippedAndTheNextEntryIsStillReadRight() throws IOException {
        byte[] other = bytes("other", 513);
        byte[] mine = bytes("mine", 1500);
        Path pkg = tarGz("p.tar.gz", new Entry("dir/", '5', new byte[0], 0), Entry.file("other.cdf", other),
                Entry.file("mine.cdf", mine));

        Map<String, String> outcome = tree.unpack(pkg, wanted(file("mine.cdf", "L2/x", 1500)));

        assertThat(outcome).containsOnlyKeys("mine.cdf").containsEntry("mine.cdf", null);
        assertThat(root.resolve("L2/x/mine.cdf")).hasBinaryContent(mine);
        assertThat(filesUnder(root)).containsExactly(root.resolve("L2/x/mine.cdf"));
    }

    @Test
    void readsPackagesWrittenBySimulatedPackage() throws IOException {
        Path pkg = tmp.resolve("sim.tar.gz");
        try (OutputStream out = Files.newOutputStream(pkg)) {
            SimulatedPackage.write(List.of(new SimulatedPackage.Entry("solo_L2_a.cdf", 1000),
                    new SimulatedPackage.Entry("solo_L2_b.cdf", 70_000)), out);
        }
        MirrorFile a = file("solo_L2_a.cdf", "L2/a", 1000);
        MirrorFile b = file("solo_L2_b.cdf", "L2/b", 70_000);

        Map<String, String> outcome = tree.unpack(pkg, wanted(a, b));

        assertThat(outcome.values()).containsOnlyNulls().hasSize(2);
        assertThat(Files.size(root.resolve("L2/a/solo_L2_a.cdf"))).isEqualTo(1000);
        assertThat(Files.size(root.resolve("L2/b/solo_L2_b.cdf"))).isEqualTo(70_000);
    }

    @Test
    void aGnuLongNameNamesTheNextEntry() throws IOException {
        String longName = "a/".repeat(60) + "solo_L2_long.cdf";
        byte[] content = bytes("long", 100);
        byte[] name = (longName + "\0").getBytes(StandardCharsets.UTF_8);
        Path pkg = tarGz("p.tar.gz", new Entry("././@LongLink", 'L', name, name.length),
                Entry.file(longName.substring(0, 99), content));

        Map<String, String> outcome = tree.unpack(pkg, wanted(file("solo_L2_long.cdf", "L2", 100)));

        assertThat(outcome).containsEntry("solo_L2_long.cdf", null);
        assertThat(root.resolve("L2/solo_L2_long.cdf")).hasBinaryContent(content);
    }

    @Test
    void aLeadingSlashInTheFilepathStaysInsideTheRoot() throws IOException {
        byte[] a = bytes("a", 10);
        Path pkg = tarGz("p.tar.gz", Entry.file("a.cdf", a));
        MirrorFile f = file("a.cdf", "/soar/L2", 10);

        assertThat(tree.pathOf(f)).isEqualTo(root.resolve("soar/L2/a.cdf"));
        assertThat(tree.unpack(pkg, wanted(f))).containsEntry("a.cdf", null);
        assertThat(root.resolve("soar/L2/a.cdf")).hasBinaryContent(a);
        assertThat(strayFilesOutsideRoot()).isEmpty();
    }

    @Test
    void aMissingFilepathPutsTheFileAtTheRoot() {
        assertThat(tree.pathOf(file("a.cdf", null, 1))).isEqualTo(root.resolve("a.cdf"));
        assertThat(tree.pathOf(file("a.cdf", "", 1))).isEqualTo(root.resolve("a.cdf"));
    }

    @Test
    void anExistingFileIsReplaced() throws IOException {
        Files.createDirectories(root.resolve("L2"));
        Files.write(root.resolve("L2/a.cdf"), bytes("old", 50));
        byte[] a = bytes("new", 20);
        Path pkg = tarGz("p.tar.gz", Entry.file("a.cdf", a));

        assertThat(tree.unpack(pkg, wanted(file("a.cdf", "L2", 20)))).containsEntry("a.cdf", null);
        assertThat(root.resolve("L2/a.cdf")).hasBinaryContent(a);
    }

    // ---- sizes and missing files -------------------------------------------------------------------------

    @Test
    void anEntryWhoseSizeDiffersFromTheListingIsNotPlacedAndLeavesNoPart() throws IOException {
        Path pkg = tarGz("p.tar.gz", Entry.file("short.cdf", bytes("short", 90)), Entry.file("long.cdf", bytes("long", 700)),
                Entry.file("good.cdf", bytes("good", 5)));
        MirrorFile shorter = file("short.cdf", "L2", 100);
        MirrorFile longer = file("long.cdf", "L2", 600);
        MirrorFile good = file("good.cdf", "L2", 5);

        Map<String, String> outcome = tree.unpack(pkg, wanted(shorter, longer, good));

        assertThat(outcome.get("short.cdf")).contains("short.cdf").contains("90").contains("100");
        assertThat(outcome.get("long.cdf")).contains("long.cdf").contains("700").contains("600");
        assertThat(outcome.get("good.cdf")).isNull();
        assertThat(root.resolve("L2/short.cdf")).doesNotExist();
        assertThat(root.resolve("L2/long.cdf")).doesNotExist();
        assertThat(root.resolve("L2/good.cdf")).hasBinaryContent(bytes("good", 5));
        assertThat(partFiles()).isEmpty();
        assertThat(tree.has(shorter)).isFalse();
        assertThat(tree.has(good)).isTrue();
    }

    @Test
    void aWantedFileMissingFromThePackageIsReported() throws IOException {
        Path pkg = tarGz("p.tar.gz", Entry.file("here.cdf", bytes("here", 3)));

        Map<String, String> outcome = tree.unpack(pkg, wanted(file("here.cdf", "L2", 3), file("gone.cdf", "L2", 3)));

        assertThat(outcome.get("here.cdf")).isNull();
        assertThat(outcome.get("gone.cdf")).contains("p.tar.gz").contains("does not hold").contains("gone.cdf");
        assertThat(root.resolve("L2/gone.cdf")).doesNotExist();
    }

    @Test
    void aPackageCutShortInsideAHeaderIsAnIOException() throws IOException {
        Path pkg = tmp.resolve("cut.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(pkg))) {
            out.write(header("a.cdf", '0', 0));
            out.write(new byte[100]);
        }

        assertThatThrownBy(() -> tree.unpack(pkg, wanted(file("b.cdf", "L2", 1))))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aPackageCutShortInsideAWantedFileIsAnIOExceptionAndPlacesNothing() throws IOException {
        Path pkg = tmp.resolve("cut.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(pkg))) {
            out.write(header("a.cdf", '0', 2000));
            out.write(bytes("a", 1000));
        }

        assertThatThrownBy(() -> tree.unpack(pkg, wanted(file("a.cdf", "L2", 2000))))
                .isInstanceOf(IOException.class);
        assertThat(root.resolve("L2/a.cdf")).doesNotExist();
    }

    // ---- paths that leave the root -----------------------------------------------------------------------

    @Test
    void aFilepathClimbingOutOfTheRootIsRefusedAndNothingIsWrittenOutside() throws IOException {
        Path pkg = tarGz("p.tar.gz", Entry.file("evil.cdf", bytes("evil", 10)));
        MirrorFile f = file("evil.cdf", "../outside", 10);

        assertThatThrownBy(() -> tree.pathOf(f)).isInstanceOf(TapException.class).hasMessageContaining("../outside");
        assertThatThrownBy(() -> tree.unpack(pkg, wanted(f))).isInstanceOf(TapException.class);
        assertThat(tmp.resolve("outside")).doesNotExist();
        assertThat(strayFilesOutsideRoot()).isEmpty();
        assertThat(filesUnder(root)).isEmpty();
        assertThat(tree.has(f)).isFalse();
    }

    @Test
    void aFilepathClimbingOutAfterGoingDownIsRefused() throws IOException {
        Path pkg = tarGz("p.tar.gz", Entry.file("evil.cdf", bytes("evil", 10)));
        MirrorFile f = file("evil.cdf", "L2/../../../outside", 10);

        assertThatThrownBy(() -> tree.unpack(pkg, wanted(f))).isInstanceOf(TapException.class);
        assertThat(strayFilesOutsideRoot()).isEmpty();
        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void aBackslashFilepathClimbingOutIsRefused() {
        assertThatThrownBy(() -> tree.pathOf(file("evil.cdf", "..\\outside", 10))).isInstanceOf(TapException.class);
    }

    @Test
    void anAbsoluteFilepathIsKeptUnderTheRootNeverWrittenWhereItPoints() throws IOException {
        Path elsewhere = tmp.resolve("elsewhere");
        Path pkg = tarGz("p.tar.gz", Entry.file("abs.cdf", bytes("abs", 10)));
        MirrorFile f = file("abs.cdf", elsewhere.toString(), 10);

        Map<String, String> outcome;
        try {
            outcome = tree.unpack(pkg, wanted(f));
        } catch (TapException refused) {
            outcome = Map.of();
        }

        assertThat(elsewhere).doesNotExist();
        assertThat(strayFilesOutsideRoot()).isEmpty();
        if (outcome.containsKey("abs.cdf") && outcome.get("abs.cdf") == null) {
            assertThat(tree.pathOf(f)).startsWith(root);
            assertThat(tree.pathOf(f)).hasBinaryContent(bytes("abs", 10));
        }
    }

    @Test
    void aFileNameWithASlashIsRefused() {
        assertThatThrownBy(() -> tree.pathOf(file("../evil.cdf", "L2", 1))).isInstanceOf(TapException.class);
        assertThatThrownBy(() -> tree.pathOf(file("x/evil.cdf", "L2", 1))).isInstanceOf(TapException.class);
        assertThatThrownBy(() -> tree.pathOf(file("x\\evil.cdf", "L2", 1))).isInstanceOf(TapException.class);
    }

    /**
     * A file named ".." under a filepath one level down resolves to the root itself: pathOf accepts it (the root
     * "starts with" the root; MirrorTree.pathOf checks only p.startsWith(root) and '/' or '\\' in the name).
     */
    @Test
    void aFileNamedDotDotIsRefused() {
        assertThatThrownBy(() -> tree.pathOf(file("..", "L2", 10))).isInstanceOf(TapException.class);
        assertThatThrownBy(() -> tree.pathOf(file(".", "L2", 10))).isInstanceOf(TapException.class);
    }

    /**
     * The same file in a package: place() writes its ".part" beside the target, and the target being the root,
     * the ".part" lands beside the root, outside the mirror's folder (and stays there when the rename fails).
     */
    @Test
    void aPackageEntryNamedDotDotWritesNothingOutsideTheRoot() throws IOException {
        Path pkg = tarGz("p.tar.gz", Entry.file("L2/..", bytes("dots", 10)));
        MirrorFile f = file("..", "L2", 10);

        try {
            tree.unpack(pkg, wanted(f));
        } catch (IOException | RuntimeException refused) {
            // refused one way or another; what matters is below
        }

        assertThat(strayFilesOutsideRoot()).isEmpty();
    }

    // ---- has ---------------------------------------------------------------------------------------------

    @Test
    void hasIsTrueOnlyForAFileOfTheListedSize() throws IOException {
        MirrorFile f = file("a.cdf", "L2/mag", 10);

        assertThat(tree.has(f)).isFalse();

        Files.createDirectories(root.resolve("L2/mag"));
        Files.write(root.resolve("L2/mag/a.cdf"), bytes("a", 9));
        assertThat(tree.has(f)).isFalse();

        Files.write(root.resolve("L2/mag/a.cdf"), bytes("a", 10));
        assertThat(tree.has(f)).isTrue();

        assertThat(tree.has(file("a.cdf", "L2", 10))).isFalse();
        assertThat(tree.has(file("a.cdf", "L2/mag", 11))).isFalse();
    }

    @Test
    void hasIsFalseForADirectoryOrAPathOutsideTheRoot() throws IOException {
        Files.createDirectories(root.resolve("L2/a.cdf"));
        Files.write(tmp.resolve("outside.cdf"), bytes("o", 4));

        assertThat(tree.has(file("a.cdf", "L2", 0))).isFalse();
        assertThat(tree.has(file("outside.cdf", "..", 4))).isFalse();
    }

    @Test
    void theRootIsAbsoluteAndNormalised() {
        MirrorTree t = new MirrorTree(root.resolve("x/.."));

        assertThat(t.root()).isEqualTo(root.toAbsolutePath().normalize());
    }
}
