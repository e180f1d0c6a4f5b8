package org.soardeferred.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;

import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;

/** The trim of the native heap through the JVM's diagnostic command, once and every interval, and without it. */
class NativeMemoryTest {

    @Test
    void trimsTheNativeHeapWhereTheJvmCan() throws Exception {
        // the JVMs the project is built and shipped with (recent JDK 17 updates on glibc) have the command
        boolean listed = Arrays.stream(ManagementFactory.getPlatformMBeanServer()
                        .getMBeanInfo(new ObjectName("com.sun.management:type=DiagnosticCommand")).getOperations())
                .anyMatch(o -> o.getName().equals(NativeMemory.COMMAND));
        assumeTrue(listed, "this JVM has no System.trim_native_heap");
        NativeMemory memory = new NativeMemory();

        String said = memory.trim();

        assumeTrue(said != null || memory.available(), "the C library cannot trim");
        assertThat(said).startsWith("Trim native heap: RSS");
        assertThat(memory.trim()).startsWith("Trim native heap: RSS");
        assertThat(memory.trims()).isEqualTo(2);
        assertThat(memory.available()).isTrue();
    }

    @Test
    void trimsEveryIntervalUntilStopped() {
        NativeMemory memory = new NativeMemory();
        assumeTrue(memory.trim() != null, "this JVM cannot trim");

        memory.start(Duration.ofMillis(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> memory.trims() >= 4);
        memory.stop();
        long trims = memory.trims();

        assertThat(memory.running()).isFalse();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> memory.trims() <= trims + 1);
    }

    @Test
    void withoutTheCommandItGivesUpAtTheFirstTrim() {
        // an MBean server without the JVM's diagnostic commands, as a JVM without the command answers
        NativeMemory memory = new NativeMemory(MBeanServerFactory.newMBeanServer());

        assertThat(memory.trim()).isNull();
        assertThat(memory.available()).isFalse();
        assertThat(memory.trim()).isNull();
        assertThat(memory.trims()).isZero();
    }

    @Test
    void withoutTheCommandTheTrimsEveryIntervalEnd() {
        NativeMemory memory = new NativeMemory(MBeanServerFactory.newMBeanServer());

        memory.start(Duration.ofMillis(20));

        await().atMost(Duration.ofSeconds(10)).until(() -> !memory.running());
        assertThat(memory.trims()).isZero();
    }
}
