package org.soardeferred.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The statuses the SQL names come from JobStatus. */
class JobRowsTest {

    @Test
    void theUnfinishedStatusesAreThoseNotFinished() {
        assertThat(JobStatus.unfinished()).containsExactly(JobStatus.ACCEPTED, JobStatus.SUBMITTED, JobStatus.FETCHING);
        assertThat(JobRows.UNFINISHED).isEqualTo("status IN ('ACCEPTED','SUBMITTED','FETCHING')");
    }
}
