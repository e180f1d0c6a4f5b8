package org.soardeferred.transfer;

import java.time.Duration;

/** What downloads tell the metrics (observe.SoarMetrics implements it): bytes as they arrive, each transfer once done. */
public interface TransferMeter {

    /** {@code bytes} more were received. */
    void downloaded(long bytes);

    /** A result was complete and published: {@code bytes} received by its last attempt in {@code took}. */
    void transfer(long bytes, Duration took);
}
