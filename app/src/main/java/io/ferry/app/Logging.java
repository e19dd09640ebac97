package io.ferry.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

/**
 * Log levels of the command. Logs go to stderr (logback.xml). A node is a server and logs warnings
 * by default; the client commands and the demo print their own report, so they log nothing unless
 * asked with {@code --verbose}: a node that cannot be reached is then one error line, not a page of
 * Artery retries. Stack traces are logged only with {@code --verbose}; otherwise a logged
 * failure is its message line.
 */
final class Logging {
  /** The pattern of logback.xml's STDERR appender. */
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n";

  private Logging() {}

  /** Sets the root level (INFO with {@code verbose}, else {@code quiet}) and the pattern. */
  static void configure(boolean verbose, Level quiet) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(verbose ? Level.INFO : quiet);
    Appender<ILoggingEvent> appender = root.getAppender("STDERR");
    if (appender instanceof OutputStreamAppender<ILoggingEvent> stderr) {
      PatternLayoutEncoder encoder = new PatternLayoutEncoder();
      encoder.setContext(context);
      encoder.setPattern(verbose ? PATTERN : PATTERN + "%nopex");
      encoder.start();
      stderr.setEncoder(encoder);
    }
  }

  /** Sets the root level only. */
  static void level(Level level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(level);
    }
  }
}
