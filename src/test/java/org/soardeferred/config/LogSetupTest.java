package org.soardeferred.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The logging set up in code (LogSetup, what the jar's processes use) logs as logback.xml does: the same appender,
 * the same bytes for an event in either format, the same levels; a file of one's own is left to logback.
 */
class LogSetupTest {

    private static final List<String> PROPERTIES = List.of("SOAR_LOG_FORMAT", "SOAR_LOG_LEVEL", "logback.configurationFile");

    @AfterEach
    void clearProperties() {
        PROPERTIES.forEach(System::clearProperty);
    }

    @ParameterizedTest
    @CsvSource({",", "text,", "json,", ",DEBUG", "json,WARN"})
    void logsAsLogbackXmlDoes(String format, String level) throws Exception {
        if (format != null) {
            System.setProperty("SOAR_LOG_FORMAT", format);
        }
        if (level != null) {
            System.setProperty("SOAR_LOG_LEVEL", level);
        }
        LoggerContext inCode = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(inCode);
        assertThat(setup.configure(inCode)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        LoggerContext fromXml = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        joran.doConfigure(LogSetupTest.class.getResource("/logback.xml"));

        for (String name : new String[] {Logger.ROOT_LOGGER_NAME, "org.apache.hc", "org.soardeferred.transfer"}) {
            assertThat(inCode.getLogger(name).getEffectiveLevel()).as(name).isEqualTo(fromXml.getLogger(name).getEffectiveLevel());
        }
        assertThat(inCode.getLogger(Logger.ROOT_LOGGER_NAME).getEffectiveLevel())
                .isEqualTo(level == null ? Level.INFO : Level.toLevel(level));
        List<Appender<ILoggingEvent>> a = appenders(inCode);
        List<Appender<ILoggingEvent>> b = appenders(fromXml);
        assertThat(a).hasSize(1);
        assertThat(b).hasSize(1);
        assertThat(a.get(0).getName()).isEqualTo(b.get(0).getName()).isEqualTo(format == null ? "text" : format);
        assertThat(a.get(0).getClass()).isEqualTo(b.get(0).getClass());
        assertThat(encoded(a.get(0), inCode)).isEqualTo(encoded(b.get(0), fromXml));
    }

    @Test
    void logbackFindsItAsAService() {
        assertThat(java.util.ServiceLoader.load(Configurator.class).stream().map(p -> p.type().getName()))
                .containsExactly(LogSetup.class.getName());
        assertThat(((LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory())
                .getLogger(Logger.ROOT_LOGGER_NAME).getAppender("text")).isNotNull();
    }

    @Test
    void aFileOfOnesOwnIsLeftToLogback() {
        System.setProperty("logback.configurationFile", "mine.xml");
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);

        assertThat(setup.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(appenders(context)).isEmpty();
    }

    private static List<Appender<ILoggingEvent>> appenders(LoggerContext context) {
        List<Appender<ILoggingEvent>> all = new ArrayList<>();
        context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(all::add);
        return all;
    }

    /** An event of a job (with its MDC) as the appender's encoder writes it. */
    @SuppressWarnings("unchecked")
    private static String encoded(Appender<ILoggingEvent> appender, LoggerContext context) {
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger("org.soardeferred.transfer.ResultDownload"),
                Level.INFO, "job {} complete", null, new Object[] {"p1"});
        event.setTimeStamp(1_764_900_000_123L);
        event.setThreadName("Camel (camel-1) thread #5 - seda://fetch");
        event.setMDCPropertyMap(Map.of("soar.job", "2b0c", "camel.routeId", "fetch"));
        byte[] bytes = ((OutputStreamAppender<ILoggingEvent>) appender).getEncoder().encode(event);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
