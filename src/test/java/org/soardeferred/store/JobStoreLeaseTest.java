package org.soardeferred.store;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.soardeferred.soar.SoarRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up recovery and the leases of cluster mode, on one database shared by store instances as nodes share it. */
class JobStoreLeaseTest {

    private final JdbcDataSource db = new JdbcDataSource();

    JobStoreLeaseTest() {
        db.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    private static SoarRequest request(String name) {
        return new SoarRequest(name, List.of("solo_L2_mag-rtn-normal_20240101"), null, null, null);
    }

    @Test
    void startUpRecoveryTakesTheJobsOfEarlierRunsButNotThoseAcceptedSince() {
        JobRecord old = new JobStore(db).accept(request("old"));
        JobStore restarted = new JobStore(db);
        JobRecord fresh = restarted.accept(request("fresh"));

        assertThat(restarted.leases().claimUnfinished()).extracting(j -> j.id).containsExactly(old.id).doesNotContain(fresh.id);
    }

    @Test
    void aLiveNodesJobsAreNotTakenOverButAnExpiredLeaseIsAndTheFormerOwnerCanNoLongerWrite() {
        JobStore a = new JobStore(db, "a", Duration.ofMinutes(1), true);
        JobStore b = new JobStore(db, "b", Duration.ofMinutes(1), true);
        JobRecord job = a.accept(request("leased"));

        assertThat(b.leases().takeOver()).isEmpty();
        assertThat(new JobStore(db, "b", Duration.ofMinutes(1), true).leases().claimUnfinished()).isEmpty();

        // node a falls silent: its lease (here already over when written) runs out
        JobStore silentA = new JobStore(db, "a", Duration.ofSeconds(-1), true);
        silentA.leases().renewLeases();
        assertThat(b.leases().takeOver()).extracting(j -> j.id).containsExactly(job.id);
        assertThat(b.leases().owner(job.id)).isEqualTo("b");
        assertThat(b.leases().takeOver()).as("taken once").isEmpty();

        assertThatThrownBy(() -> a.update(job)).isInstanceOf(LeaseLostException.class).hasMessageContaining("node a");
        b.update(job);
    }

    @Test
    void aNodeWhoseLastRenewalIsOldConfirmsItsLeaseBeforeWritingMore() {
        JobStore a = new JobStore(db, "a", Duration.ofMillis(300), true);
        JobRecord job = a.accept(request("download"));
        assertThat(a.holdsLease(job)).as("just renewed").isTrue();

        // a is silent for most of its lease: it renews, and finds the job still its own while nobody took it
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !a.leases().leasesSure());
        assertThat(a.holdsLease(job)).isTrue();
        assertThat(a.leases().leasesSure()).as("renewed").isTrue();

        // silent again until its lease ran out and b took the job over: a must stop
        JobStore b = new JobStore(db, "b", Duration.ofMinutes(1), true);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !b.leases().takeOver().isEmpty());
        assertThat(a.leases().leasesSure()).isFalse();
        assertThat(a.holdsLease(job)).isFalse();
        assertThat(b.holdsLease(job)).isTrue();
    }

    @Test
    void aRenewalByTheTimerWhenAPausedNodeWakesDoesNotVouchForAJobTakenOverMeanwhile() {
        JobStore a = new JobStore(db, "a", Duration.ofMillis(300), true);
        JobRecord job = a.accept(request("download"));
        assertThat(a.holdsLease(job)).isTrue();

        JobStore b = new JobStore(db, "b", Duration.ofMinutes(1), true);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !b.leases().takeOver().isEmpty());
        // a wakes, and its lease timer runs before its download's next read
        a.leases().renewLeases();
        assertThat(a.leases().leasesSure()).isTrue();
        assertThat(a.holdsLease(job)).isFalse();
        assertThat(new JobStore(db, "a", Duration.ofMinutes(1), false).holdsLease(job)).as("outside a cluster: always").isTrue();
    }

    @Test
    void aNodeRestartedUnderItsOwnNameTakesBackItsJobsAtOnce() {
        JobRecord job = new JobStore(db, "a", Duration.ofMinutes(1), true).accept(request("mine"));
        assertThat(new JobStore(db, "a", Duration.ofMinutes(1), true).leases().claimUnfinished()).extracting(j -> j.id).containsExactly(job.id);
    }
}
