package org.soardeferred.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;

/**
 * The logging of every process of the jar (the service, the command line, the simulator), set up in code, as
 * logback finds it through {@code META-INF/services}: the same configuration as {@code logback.xml} in the jar, without
 * logback's XML configurator, which loaded some 570 classes more (its model and actions, and an XML parser; about
 * 3.5 MB of class metadata and symbols that stayed in the process). One line per event on the console
 * ({@code SOAR_LOG_FORMAT=text}, the default) or JSON lines ({@code json}); the root level {@code SOAR_LOG_LEVEL}
 * (default INFO); Apache HttpClient 5 at WARN. Each setting a system property or else an environment variable, as
 * {@code ${NAME:-default}} in logback.xml. A file of one's own, {@code -Dlogback.configurationFile=...}, is read by
 * logback as always.
 */
public class LogSetup extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        NopStatusListener quiet = new NopStatusListener();
        context.getStatusManager().add(quiet);
        boolean json = "json".equalsIgnoreCase(setting("SOAR_LOG_FORMAT", "text").strip());
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(json ? "json" : "text");
        console.setEncoder(json ? json(context) : text(context));
        console.start();
        context.getLogger("org.apache.hc").setLevel(Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(setting("SOAR_LOG_LEVEL", "INFO").strip(), Level.INFO));
        root.addAppender(console);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }

    /** Logback's JSON encoder, with the MDC (soar.job, Camel's route and exchange ids) in every event of a job. */
    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithArguments(false);
        encoder.start();
        return encoder;
    }

    /** As {@code ${NAME:-fallback}} in logback.xml: the system property, else the environment variable, else the fallback. */
    static String setting(String name, String fallback) {
        String value = System.getProperty(name);
        if (value == null) {
            value = System.getenv(name);
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
