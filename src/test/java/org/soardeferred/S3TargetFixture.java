package org.soardeferred;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/**
 * What the tests of the S3 target share: a SOAR simulator, a real S3 API server in-process (S3Proxy) with one
 * bucket, and the service started against both with parts of 5 MB and quick retries.
 */
abstract class S3TargetFixture {

    static final String BUCKET = "solar-archive";
    static final long MiB = 1L << 20;

    @TempDir
    Path root;
    SoarSimulator soar;
    S3Server s3;

    @BeforeEach
    void startSoarAndS3() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").timing(100, 200).start(0);
        s3 = S3Server.start(root.resolve("s3")).bucket(BUCKET);
    }

    @AfterEach
    void stopSoarAndS3() {
        soar.close();
        s3.close();
    }

    /** The service delivering to {@code target}, retrying a step {@code attempts} times. */
    RunningService service(String target, int attempts, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>(s3.settings(target));
        p.put("soar.s3.part-size", "5MB");
        p.put("soar.retry.delay", "50ms");
        p.put("soar.retry.max-delay", "200ms");
        p.put("soar.retry.max-attempts", String.valueOf(attempts));
        p.putAll(extra);
        return RunningService.start(root.resolve("service"), soar.baseUrl(), p);
    }
}
