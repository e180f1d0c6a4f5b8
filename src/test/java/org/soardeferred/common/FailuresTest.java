package org.soardeferred.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;
import org.soardeferred.soar.MissingCredentialsException;
import org.soardeferred.soar.SoarHttpException;
import org.soardeferred.soar.SoarLoginException;
import org.soardeferred.transfer.TransferException;
import org.soardeferred.transfer.TransientTransferException;
import org.soardeferred.uws.PollSchedule;

class FailuresTest {

    @Test
    void eachExceptionSaysItsOwnKindEvenWhenCamelWrapsIt() {
        assertThat(Failures.kind(new SoarLoginException("refused"))).isEqualTo(ErrorKind.AUTH);
        assertThat(Failures.kind(new MissingCredentialsException())).isEqualTo(ErrorKind.AUTH);
        assertThat(Failures.kind(new SoarHttpException(401, "u", "m"))).isEqualTo(ErrorKind.AUTH);
        assertThat(Failures.kind(new SoarHttpException(410, "u", "m"))).isEqualTo(ErrorKind.JOB);
        assertThat(Failures.kind(new SoarHttpException(500, "u", "m"))).isEqualTo(ErrorKind.OTHER);
        assertThat(Failures.kind(new PollSchedule.PendingJobException("pending"))).isEqualTo(ErrorKind.JOB);
        assertThat(Failures.kind(new TransferException("short"))).isEqualTo(ErrorKind.TRANSFER);
        assertThat(Failures.kind(new TransientTransferException("S3 busy"))).isEqualTo(ErrorKind.TRANSFER);
        assertThat(Failures.kind(new RuntimeCamelException(new TransferException("short")))).isEqualTo(ErrorKind.TRANSFER);
        assertThat(Failures.kind(new IllegalStateException("?"))).isEqualTo(ErrorKind.OTHER);
    }
}
