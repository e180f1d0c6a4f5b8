package org.soardeferred.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

class ThroughputTest {

    /** A clock the test moves by hand. */
    static final class Hand extends Clock {
        Instant now;

        Hand(String at) {
            now = Instant.parse(at);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void bytesAreBucketedPerStepOldestFirstWithTheBucketUnderWayOverItsSecondsSoFar() {
        Hand clock = new Hand("2026-12-04T10:00:00Z");
        Throughput t = new Throughput(clock);
        t.add(5_000);                      // 10:00:00, first bucket of 5 s: 1000 B/s
        clock.now = Instant.parse("2026-12-04T10:00:12Z");
        t.add(3_000);                      // the bucket under way (10:00:10-15), 3 s of it so far: 1000 B/s

        @SuppressWarnings("unchecked")
        List<Long> points = (List<Long>) t.recent(1, 5).get("bytesPerSecond");

        assertThat(points).hasSize(12);
        assertThat(points.subList(9, 12)).containsExactly(1000L, 0L, 1000L);
        assertThat(points.subList(0, 9)).containsOnly(0L);
        assertThat(t.today()).isEqualTo(8_000);
        assertThat(t.total()).isEqualTo(8_000);
    }

    @Test
    void bytesTodayStartAgainAtMidnightUtcAndOldSecondsAreForgotten() {
        Hand clock = new Hand("2026-12-04T23:59:59Z");
        Throughput t = new Throughput(clock);
        t.add(1_000);
        clock.now = Instant.parse("2026-12-05T00:00:01Z");
        assertThat(t.today()).isZero();
        t.add(200);
        assertThat(t.today()).isEqualTo(200);
        clock.now = Instant.parse("2026-12-05T00:20:01Z");
        @SuppressWarnings("unchecked")
        List<Long> points = (List<Long>) t.recent(10, 5).get("bytesPerSecond");
        assertThat(points).hasSize(120).containsOnly(0L);
        assertThat(t.total()).isEqualTo(1_200);
    }
}
