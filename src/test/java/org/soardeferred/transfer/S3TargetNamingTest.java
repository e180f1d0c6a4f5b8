package org.soardeferred.transfer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.soardeferred.common.Durations;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The S3 target's arithmetic and naming: part sizes under S3's 10,000 parts, object keys, metadata limits. */
class S3TargetNamingTest {

    private static final long MiB = 1L << 20;

    private final S3Target outbox = new S3Target(new DefaultCamelContext(), "s3://solar-archive/mirror/solo/", 16 * MiB, 1024 * MiB);

    @Test
    void aFiftyGigabytePackageKeepsTheConfiguredPartSizeAndFitsInTenThousandParts() {
        ResultRecord fifty = new ResultRecord("r", "h", 50_000_000_000L);
        assertThat(outbox.partSize(fifty)).isEqualTo(16 * MiB);
        assertThat((double) fifty.size / outbox.partSize(fifty)).isLessThanOrEqualTo(10_000);
    }

    @Test
    void aPackageTooLargeForTenThousandConfiguredPartsGetsLargerWholeMebibyteParts() {
        ResultRecord huge = new ResultRecord("r", "h", 400L * 1024 * MiB); // 400 GiB
        long part = outbox.partSize(huge);
        assertThat(part % MiB).isZero();
        assertThat(part).isGreaterThan(16 * MiB);
        assertThat((huge.size + part - 1) / part).isLessThanOrEqualTo(10_000);
    }

    @Test
    void anUnannouncedSizeUsesTheConfiguredPartSize() {
        assertThat(outbox.partSize(new ResultRecord("r", "h", null))).isEqualTo(16 * MiB);
    }

    @Test
    void keysLiveUnderThePrefixAndStagingUnderIncoming() {
        assertThat(outbox.location("epd.tar.gz")).isEqualTo("s3://solar-archive/mirror/solo/epd.tar.gz");
        assertThat(outbox.stagingKey("epd.tar.gz")).isEqualTo("mirror/solo/.incoming/epd.tar.gz");
        assertThat(new S3Target(new DefaultCamelContext(), "s3://bucket", 5 * MiB, 5 * MiB).location("a.json")).isEqualTo("s3://bucket/a.json");
    }

    @Test
    void aTargetThatIsNotAnS3BucketUrlOrAPartSizeBelowFiveMegabytesIsRefused() {
        assertThatThrownBy(() -> new S3Target(new DefaultCamelContext(), "s3://UPPER/x", 16 * MiB, 16 * MiB))
                .hasMessageContaining("is not s3://BUCKET");
        assertThatThrownBy(() -> new S3Target(new DefaultCamelContext(), "s3://bucket", 4 * MiB, 16 * MiB))
                .hasMessageContaining("at least 5MB");
        assertThatThrownBy(() -> new S3Target(new DefaultCamelContext(), "s3://bucket", 16 * MiB, 6L << 30))
                .hasMessageContaining("at most 5GB");
    }

    @Test
    void metadataIsAsciiAndStaysWellUnderTwoKilobytesWhateverTheRequest() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ids.add("solo_L2_epd-ept-north-rates_2020" + String.format("%04d", i));
        }
        JobRecord job = new JobRecord();
        job.id = "local";
        job.name = "épd-ünicode";
        job.request = new SoarRequest("épd-ünicode", ids, null, null, null);
        job.remoteJobId = "1651071708120OPE";
        ResultRecord r = new ResultRecord("hmiddlet1", "h", 10L);

        Map<String, String> m = S3Publisher.metadata(job, r, "ab".repeat(32), 10);

        int total = m.entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
        assertThat(total).isLessThan(2048);
        assertThat(m.values()).allMatch(v -> v.chars().allMatch(c -> c >= 0x20 && c < 0x7f));
        assertThat(m.get("soar-data-items")).startsWith("solo_L2_epd-ept-north-rates_20200000,").contains("more)");
        assertThat(m).containsEntry("soar-sha256", "ab".repeat(32)).containsEntry("soar-size", "10");
    }

    @Test
    void sizesOfTheConfigurationAreParsedInBinaryUnits() {
        assertThat(Durations.parseSize("k", "16MB")).isEqualTo(16 * MiB);
        assertThat(Durations.parseSize("k", "1GB")).isEqualTo(1024 * MiB);
        assertThat(Durations.parseSize("k", "5242880")).isEqualTo(5 * MiB);
        assertThatThrownBy(() -> Durations.parseSize("soar.s3.part-size", "lots")).hasMessageContaining("soar.s3.part-size");
    }
}
