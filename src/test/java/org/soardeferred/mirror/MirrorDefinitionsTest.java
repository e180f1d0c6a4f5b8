package org.soardeferred.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config/mirrors.yaml as MirrorDefinitions reads it, and the ADQL selection each definition makes. */
class MirrorDefinitionsTest {

    @TempDir
    Path dir;

    private Map<String, MirrorDefinition> load(String yaml) throws IOException {
        return MirrorDefinitions.load(Files.writeString(dir.resolve("mirrors.yaml"), yaml));
    }

    private static MirrorDefinition definition(List<String> instruments, List<String> levels, List<String> dataTypes,
                                               List<String> descriptors, String where) {
        return new MirrorDefinition("m", null, instruments, levels, dataTypes, descriptors, where, null,
                MirrorDefinition.DEFAULT_SIZE_CAP, null, false, false, null);
    }

    // ---- loading -----------------------------------------------------------------------------------------

    @Test
    void readsEveryKeyOfAMirror() throws IOException {
        Path tree = dir.resolve("tree");
        Map<String, MirrorDefinition> mirrors = load("""
                mirrors:
                  - name: mag-l2
                    schedule: "0 0 2 * * ?"
                    instrument: MAG
                    levels: [L2, LL02]
                    data-type: sci
                    descriptor: mag-rtn-normal
                    where: "begin_time > '2024-01-01'"
                    target: %s
                    package-size-cap: 700KB
                    retrieval-type: all_products
                    extract: true
                    keep-packages: true
                    since: 2024-03-11T18:04:38
                """.formatted(tree));

        assertThat(mirrors).containsOnlyKeys("mag-l2");
        MirrorDefinition d = mirrors.get("mag-l2");
        assertThat(d.name()).isEqualTo("mag-l2");
        assertThat(d.schedule()).isEqualTo("0 0 2 * * ?");
        assertThat(d.instruments()).containsExactly("MAG");
        assertThat(d.levels()).containsExactly("L2", "LL02");
        assertThat(d.dataTypes()).containsExactly("SCI");
        assertThat(d.descriptors()).containsExactly("mag-rtn-normal");
        assertThat(d.where()).isEqualTo("begin_time > '2024-01-01'");
        assertThat(d.target()).isEqualTo(tree.toString());
        assertThat(d.sizeCap()).isEqualTo(700L * 1024);
        assertThat(d.retrievalType()).isEqualTo("ALL_PRODUCTS");
        assertThat(d.extract()).isTrue();
        assertThat(d.keepPackages()).isTrue();
        assertThat(d.since()).isEqualTo("2024-03-11T18:04:38");
    }

    @Test
    void appliesDefaultsForKeysLeftOut() throws IOException {
        MirrorDefinition d = load("""
                mirrors:
                  - name: everything
                """).get("everything");

        assertThat(d.schedule()).isNull();
        assertThat(d.instruments()).isEmpty();
        assertThat(d.levels()).isEmpty();
        assertThat(d.dataTypes()).isEmpty();
        assertThat(d.descriptors()).isEmpty();
        assertThat(d.where()).isNull();
        assertThat(d.target()).isNull();
        assertThat(d.sizeCap()).isEqualTo(MirrorDefinition.DEFAULT_SIZE_CAP).isEqualTo(10L << 30);
        assertThat(d.retrievalType()).isEqualTo("LAST_PRODUCT");
        assertThat(d.extract()).isFalse();
        assertThat(d.keepPackages()).isFalse();
        assertThat(d.since()).isNull();
    }

    @Test
    void readsInstrumentsAsAStringAListOrACommaSeparatedStringAndUpperCasesThem() throws IOException {
        Map<String, MirrorDefinition> mirrors = load("""
                mirrors:
                  - name: one
                    instrument: mag
                  - name: list
                    instruments: [MAG, swa]
                  - name: commas
                    instrument: "MAG, EPD"
                  - name: both
                    instrument: MAG
                    instruments: [SWA]
                """);

        assertThat(mirrors.get("one").instruments()).containsExactly("MAG");
        assertThat(mirrors.get("list").instruments()).containsExactly("MAG", "SWA");
        assertThat(mirrors.get("commas").instruments()).containsExactly("MAG", "EPD");
        assertThat(mirrors.get("both").instruments()).containsExactly("MAG", "SWA");
    }

    @Test
    void keepsTheMirrorsInFileOrder() throws IOException {
        Map<String, MirrorDefinition> mirrors = load("""
                mirrors:
                  - name: c
                  - name: a
                  - name: b
                """);

        assertThat(mirrors.keySet()).containsExactly("c", "a", "b");
    }

    @Test
    void skipsAMirrorThatIsNotEnabled() throws IOException {
        Map<String, MirrorDefinition> mirrors = load("""
                mirrors:
                  - name: disabled
                    enabled: false
                    instrument: MAG
                  - name: active
                    enabled: true
                """);

        assertThat(mirrors).containsOnlyKeys("active");
    }

    @Test
    void aMissingFileMeansNoMirrors() {
        assertThat(MirrorDefinitions.load(dir.resolve("nowhere.yaml"))).isEmpty();
        assertThat(MirrorDefinitions.load(null)).isEmpty();
    }

    @Test
    void aFileWithoutAMirrorsListMeansNoMirrors() throws IOException {
        assertThat(load("other: 1\n")).isEmpty();
        assertThat(load("mirrors:\n")).isEmpty();
    }

    @Test
    void mirrorsThatIsNotAListIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  name: x\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'mirrors' must be a list");
    }

    @Test
    void anUnknownKeyIsRefusedNamingTheKeyAndTheMirror() {
        assertThatThrownBy(() -> load("""
                mirrors:
                  - name: mag-l2
                    instrument: MAG
                    instrumnet: SWA
                """))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'instrumnet'")
                .hasMessageContaining("'mag-l2'");
    }

    @Test
    void anUnknownKeyIsRefusedEvenInAMirrorThatIsNotEnabled() {
        assertThatThrownBy(() -> load("""
                mirrors:
                  - name: disabled
                    enabled: false
                    shedule: "0 0 2 * * ?"
                """))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'shedule'")
                .hasMessageContaining("'disabled'");
    }

    @Test
    void twoMirrorsOfOneNameAreRefused() {
        assertThatThrownBy(() -> load("""
                mirrors:
                  - name: twice
                    instrument: MAG
                  - name: twice
                    instrument: SWA
                """))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two mirrors are named 'twice'");
    }

    @Test
    void aDisabledMirrorDoesNotCountAsADuplicateName() throws IOException {
        Map<String, MirrorDefinition> mirrors = load("""
                mirrors:
                  - name: twice
                    enabled: false
                  - name: twice
                    instrument: SWA
                """);

        assertThat(mirrors.get("twice").instruments()).containsExactly("SWA");
    }

    @Test
    void invalidYamlIsRefused() {
        assertThatThrownBy(() -> load("mirrors: [ {name: x\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void aNameWithASpaceIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - name: mag l2\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mag l2");
    }

    @Test
    void aMirrorWithoutANameIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - instrument: MAG\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
    }

    @Test
    void anInstrumentWithAQuoteIsRefusedSoItCannotBreakTheAdql() {
        assertThatThrownBy(() -> load("""
                mirrors:
                  - name: inject
                    instrument: "MAG'"
                """))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'inject'")
                .hasMessageContaining("instrument 'MAG''");
    }

    @Test
    void aLevelOrDescriptorWithAQuoteIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    level: \"L2' OR 1=1 --\"\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("level");
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    descriptor: \"mag') OR ('a\"\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("descriptor");
    }

    @Test
    void anUnknownDataTypeIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    data-type: FOO\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("data-type 'FOO'");
    }

    @Test
    void anUnknownRetrievalTypeIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    retrieval-type: BAD\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retrieval-type 'BAD'");
    }

    @Test
    void extractIntoAnS3TargetIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    extract: true\n    target: s3://bucket/prefix\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("extract")
                .hasMessageContaining("s3://bucket/prefix");
    }

    @Test
    void anS3TargetWithoutExtractIsAccepted() throws IOException {
        assertThat(load("mirrors:\n  - name: x\n    target: s3://bucket/prefix\n").get("x").target())
                .isEqualTo("s3://bucket/prefix");
    }

    /**
     * extract unpacks into the mirror's own folder (Mirrors.packageTarget and Mirrors.lacking call
     * Path.of(d.target())): a mirror that extracts without a target must be refused when the file is read, not
     * fail with a NullPointerException when the service starts.
     */
    @Test
    void extractWithoutATargetFolderIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    extract: true\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'")
                .hasMessageContaining("extract");
    }

    @Test
    void aSinceThatIsNotATimeIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    since: yesterday\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("since 'yesterday'");
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    since: \"2024-03-11' OR 1=1\"\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("since");
    }

    @Test
    void aSinceMayBeADateOrATimeWithFractions() throws IOException {
        assertThat(load("mirrors:\n  - name: x\n    since: 2024-03-11\n").get("x").since()).isEqualTo("2024-03-11");
        assertThat(load("mirrors:\n  - name: x\n    since: 2024-03-11T18:04:38.139\n").get("x").since())
                .isEqualTo("2024-03-11T18:04:38.139");
    }

    @Test
    void aWhereWithASemicolonIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    where: \"1=1; DROP TABLE x\"\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("';'");
    }

    @Test
    void aSizeCapThatIsNotASizeIsRefused() {
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    package-size-cap: lots\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("package-size-cap");
        assertThatThrownBy(() -> load("mirrors:\n  - name: x\n    package-size-cap: 0\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("package-size-cap");
    }

    @Test
    void sizeCapsReadWithTheirUnits() throws IOException {
        Map<String, MirrorDefinition> mirrors = load("""
                mirrors:
                  - name: bytes
                    package-size-cap: 1234
                  - name: mb
                    package-size-cap: 16MB
                  - name: gb
                    package-size-cap: 2GB
                """);

        assertThat(mirrors.get("bytes").sizeCap()).isEqualTo(1234);
        assertThat(mirrors.get("mb").sizeCap()).isEqualTo(16L << 20);
        assertThat(mirrors.get("gb").sizeCap()).isEqualTo(2L << 30);
    }

    // ---- selection ---------------------------------------------------------------------------------------

    @Test
    void noFilterSelectsEverything() {
        assertThat(definition(null, null, null, null, null).selection()).isEqualTo("1=1");
        assertThat(definition(List.of(), List.of(), List.of(), List.of(), "  ").selection()).isEqualTo("1=1");
    }

    @Test
    void singleValuesAreComparedWithEquals() {
        assertThat(definition(List.of("MAG"), List.of("L2"), List.of("SCI"), null, null).selection())
                .isEqualTo("instrument = 'MAG' AND processing_level = 'L2' AND data_type = 'SCI'");
    }

    @Test
    void severalValuesAreComparedWithIn() {
        assertThat(definition(List.of("MAG", "SWA"), List.of("L1", "L2"), List.of("SCI", "LL"), null, null).selection())
                .isEqualTo("instrument IN ('MAG', 'SWA') AND processing_level IN ('L1', 'L2') AND data_type IN ('SCI', 'LL')");
    }

    @Test
    void oneDescriptorBecomesALikeOnTheItemId() {
        assertThat(definition(null, null, null, List.of("mag-rtn-normal"), null).selection())
                .isEqualTo("item_id LIKE 'solo_%_mag-rtn-normal_%'");
    }

    @Test
    void severalDescriptorsAreOredInParentheses() {
        assertThat(definition(List.of("SWA"), null, null, List.of("swa-pas-grnd-mom", "swa-his-%"), null).selection())
                .isEqualTo("instrument = 'SWA' AND (item_id LIKE 'solo_%_swa-pas-grnd-mom_%' OR item_id LIKE 'solo_%_swa-his-%_%')");
    }

    @Test
    void descriptorsKeepTheirCase() {
        assertThat(definition(null, null, null, List.of("Mag-RTN"), null).descriptors()).containsExactly("Mag-RTN");
    }

    @Test
    void whereIsAddedInParenthesesAfterTheOtherFilters() {
        assertThat(definition(List.of("MAG"), null, null, List.of("mag-rtn-normal"), " a = 1 OR b = 2 ").selection())
                .isEqualTo("instrument = 'MAG' AND item_id LIKE 'solo_%_mag-rtn-normal_%' AND (a = 1 OR b = 2)");
        assertThat(definition(null, null, null, null, "a = 1 OR b = 2").selection()).isEqualTo("(a = 1 OR b = 2)");
    }

    @Test
    void productTypeIsLowLatencyForLlAndScienceOtherwise() {
        assertThat(MirrorDefinition.productType("LL")).isEqualTo("LOW_LATENCY");
        assertThat(MirrorDefinition.productType("SCI")).isEqualTo("SCIENCE");
        assertThat(MirrorDefinition.productType("CAL")).isEqualTo("SCIENCE");
    }
}
