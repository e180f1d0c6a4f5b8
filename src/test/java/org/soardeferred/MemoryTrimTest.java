package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.observe.NativeMemory;
import org.soardeferred.simulator.SoarSimulator;

/** The service gives the native memory the C library holds free back to the system, every soar.memory.trim-interval. */
class MemoryTrimTest {

    @TempDir
    Path root;
    SoarSimulator soar;

    @BeforeEach
    void startSoar() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").start(0);
    }

    @AfterEach
    void stopSoar() {
        soar.close();
    }

    @Test
    void theServiceTrimsItsNativeHeapByDefaultUntilItStops() {
        NativeMemory memory;
        try (RunningService service = RunningService.start(root, soar.baseUrl(), Map.of("soar.memory.trim-interval", "100ms"))) {
            memory = service.context().getRegistry().lookupByNameAndType("nativeMemory", NativeMemory.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> memory.trims() >= 2 || !memory.available());
            assertThat(memory.running() || !memory.available()).isTrue();
        }
        assertThat(memory.running()).isFalse();
    }

    @Test
    void theTrimIsOffWhenTurnedOff() {
        try (RunningService service = RunningService.start(root, soar.baseUrl(),
                Map.of("soar.memory.trim", "false", "soar.memory.trim-interval", "100ms"))) {
            NativeMemory memory = service.context().getRegistry().lookupByNameAndType("nativeMemory", NativeMemory.class);
            assertThat(memory.running()).isFalse();
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> memory.trims() == 0);
        }
    }
}
