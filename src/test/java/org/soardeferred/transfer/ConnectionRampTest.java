package org.soardeferred.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.IntToLongFunction;

import org.junit.jupiter.api.Test;

/**
 * The ramp of connections against links of a known shape, on a clock of its own: a read every 10 ms, the bytes the
 * link gives the connections open then; a connection the ramp allows brings its first bytes at the next read.
 */
class ConnectionRampTest {

    private static final long MB = 1L << 20;
    private static final long STEP = Duration.ofMillis(10).toNanos();

    private long now;
    private long bytes;
    private int open = 1;

    /** Reads for {@code seconds} on a link that gives {@code rate.applyAsLong(k)} bytes/s to k connections. */
    private ConnectionRamp run(ConnectionRamp ramp, IntToLongFunction rate, double seconds) {
        for (long t = 0; t < seconds * 1e9; t += STEP) {
            now += STEP;
            bytes += rate.applyAsLong(open) / 100;
            open = ramp.measured(bytes, open);
        }
        return ramp;
    }

    private ConnectionRamp ramp(int most) {
        return new ConnectionRamp("job test: x.tar.gz", most, Duration.ofMillis(500), 0, () -> now);
    }

    /** With soar.fetch.enough-rate at its default, 100 MB/s. */
    private ConnectionRamp rampWithEnoughRate(int most) {
        return new ConnectionRamp("job test: x.tar.gz", most, Duration.ofMillis(500), 100 * MB, () -> now);
    }

    @Test
    void aLinkThatLimitsEachConnectionGetsThemAll() {
        ConnectionRamp ramp = ramp(4);
        assertThat(ramp.allowed()).as("one to start with").isEqualTo(1);

        assertThat(run(ramp, k -> k * 4 * MB, 10).settled()).contains("the link limits each connection");
        assertThat(ramp.allowed()).isEqualTo(4);
    }

    @Test
    void aLinkThatLimitsOnlyTheTotalKeepsOneConnection() {
        assertThat(run(ramp(8), k -> 500 * MB, 10).settled()).contains("did not raise the rate");
        assertThat(open).isEqualTo(1);
    }

    @Test
    void aLinkThatLimitsEachConnectionDoublesTheCountAfterAFifthOfTheWindow() {
        // the window opens at the first read (10 ms); a fifth of it later, one connection's rate is known: 4 MB/s,
        // far below the enough-rate
        ConnectionRamp ramp = run(rampWithEnoughRate(8), k -> k * 4 * MB, 0.15);
        assertThat(open).isEqualTo(2);

        // each count's window opens once its new connections bring bytes, and each added brings as much as the
        // others: 4 after 0.22 s, 8 after 0.33 s (a whole window for each count would take 1.5 s)
        run(ramp, k -> k * 4 * MB, 0.2);
        assertThat(open).isEqualTo(8);
        assertThat(ramp.settled()).isNull();

        assertThat(run(ramp, k -> k * 4 * MB, 0.15).settled()).contains("the link limits each connection");
    }

    @Test
    void aFirstConnectionBetweenATenthOfTheEnoughRateAndItIsMeasuredOverTheWholeWindow() {
        // 40 MB/s: a fast link, or a JVM still compiling its code on loopback; not clear after a fifth of the window
        ConnectionRamp ramp = run(rampWithEnoughRate(8), k -> k * 40 * MB, 0.3);
        assertThat(open).isEqualTo(1);

        run(ramp, k -> k * 40 * MB, 0.25);
        assertThat(open).isEqualTo(2);
    }

    @Test
    void connectionsThatBringLessThanTheOthersAreJudgedOverTheWholeWindow() {
        // 1 MB/s each, 1.5 MB/s in all: the second connection brings half of what the first does
        ConnectionRamp ramp = run(rampWithEnoughRate(8), k -> Math.min(k * MB, 3 * MB / 2), 0.15);
        assertThat(open).isEqualTo(2);

        run(ramp, k -> Math.min(k * MB, 3 * MB / 2), 0.4);
        assertThat(ramp.settled()).as("not clear after a fifth of the window").isNull();
        assertThat(open).isEqualTo(2);

        run(ramp, k -> Math.min(k * MB, 3 * MB / 2), 0.2);
        assertThat(open).as("kept (at least half as much), one more tried").isEqualTo(3);
    }

    @Test
    void aLinkThatLimitsEachConnectionAndTheTotalKeepsTheConnectionsThatHelp() {
        // 2 MB/s each, 7 MB/s in all: 1, 2, 4 (each of the two added brings 1.5 MB/s: kept), 5 (brings nothing)
        assertThat(run(ramp(8), k -> Math.min(k * 2 * MB, 7 * MB), 10).allowed()).isEqualTo(4);
    }

    @Test
    void aDownloadThatAlreadyRunsAtTheEnoughRateOpensNoMoreConnections() {
        // loopback, or a fast network: one connection alone brings 400 MB/s, each more would bring as much again
        ConnectionRamp ramp = new ConnectionRamp("job test: x.tar.gz", 8, Duration.ofMillis(500), 100 * MB, () -> now);

        // known after a fifth of the window (the window opens at the first read)
        assertThat(run(ramp, k -> k * 400 * MB, 0.12).settled()).contains("soar.fetch.enough-rate");
        assertThat(run(ramp, k -> k * 400 * MB, 10).settled()).contains("soar.fetch.enough-rate");
        assertThat(open).isEqualTo(1);
    }

    @Test
    void belowTheEnoughRateConnectionsAreAddedUntilItIsReached() {
        ConnectionRamp ramp = new ConnectionRamp("job test: x.tar.gz", 8, Duration.ofMillis(500), 10 * MB, () -> now);

        // 4 MB/s each: 1 (4), 2 (8), 4 (16 MB/s, at least 10): no more
        assertThat(run(ramp, k -> k * 4 * MB, 10).settled()).contains("soar.fetch.enough-rate");
        assertThat(open).isEqualTo(4);
    }

    @Test
    void aFastLinkThatSlowsDownGetsMoreConnectionsAtTheNextTry() {
        ConnectionRamp ramp = new ConnectionRamp("job test: x.tar.gz", 4, Duration.ofMillis(500), 100 * MB, () -> now);
        run(ramp, k -> k * 400 * MB, 5);
        assertThat(open).isEqualTo(1);

        // the link now throttles each connection to 4 MB/s
        run(ramp, k -> k * 4 * MB, ConnectionRamp.RETRY_AFTER_WINDOWS * 0.5 + 5);

        assertThat(open).isEqualTo(4);
    }

    @Test
    void aConnectionThatBringsNoBytesYetIsWaitedFor() {
        ConnectionRamp ramp = run(rampWithEnoughRate(4), k -> k * 4 * MB, 0.15);
        assertThat(ramp.allowed()).isEqualTo(2);

        // the second connection does not get through (the host's ceiling): no window is measured without it
        for (int i = 0; i < 1000; i++) {
            now += STEP;
            bytes += 40_000;
            assertThat(ramp.measured(bytes, 1)).isEqualTo(2);
        }
        assertThat(ramp.settled()).isNull();
    }

    @Test
    void aRefusalEndsTheRamp() {
        ConnectionRamp ramp = run(rampWithEnoughRate(8), k -> k * 4 * MB, 0.25);
        assertThat(open).isEqualTo(4);

        ramp.refused(3);
        open = 3;

        assertThat(run(ramp, k -> k * 4 * MB, 60).settled()).contains("refused");
        assertThat(open).isEqualTo(3);
    }

    @Test
    void aCountSettledBelowTheMostIsTriedWithOneMoreNowAndThen() {
        ConnectionRamp ramp = run(ramp(4), k -> 8 * MB, 5);
        assertThat(open).isEqualTo(1);

        // the link changed: another download's connections closed, each connection now gets 4 MB/s
        run(ramp, k -> k * 4 * MB, ConnectionRamp.RETRY_AFTER_WINDOWS * 0.5 + 5);

        assertThat(open).isEqualTo(4);
    }

    @Test
    void withoutAWindowEveryConnectionOpensAtOnce() {
        ConnectionRamp ramp = new ConnectionRamp("job test: x.tar.gz", 8, Duration.ZERO, 0, () -> now);

        assertThat(ramp.allowed()).isEqualTo(8);
        assertThat(ramp.measured(1, 1)).isEqualTo(8);
    }
}
