package dev.inflight.activity.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures what the tracker logs. Core logs through {@link System.Logger}, which the JDK routes to
 * {@code java.util.logging} by default, so a JUL handler on the {@value #LOGGER} logger sees every
 * message. Close it to detach.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.start()) {
 *   ... // provoke a warning
 *   assertThat(logs.messages(Level.WARNING)).hasSize(1);
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {

  /** The logger name core uses. */
  public static final String LOGGER = "dev.inflight.activity";

  private final Logger logger; // strong reference: JUL holds loggers weakly
  private final Level previousLevel;
  private final boolean previousUseParent;
  private final List<LogRecord> records = new ArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (records) {
            records.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture() {
    logger = Logger.getLogger(LOGGER);
    previousLevel = logger.getLevel();
    previousUseParent = logger.getUseParentHandlers();
    handler.setLevel(Level.ALL);
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false); // keep expected stack traces out of the test output
    logger.addHandler(handler);
  }

  /**
   * Starts capturing.
   *
   * @return the capture; close it to stop
   */
  public static LogCapture start() {
    return new LogCapture();
  }

  /**
   * The formatted messages logged at exactly the given level so far.
   *
   * @param level a JUL level (System.Logger WARNING maps to {@link Level#WARNING}, ERROR to {@link
   *     Level#SEVERE})
   * @return the messages, oldest first
   */
  public List<String> messages(Level level) {
    SimpleFormatter f = new SimpleFormatter();
    List<String> out = new ArrayList<>();
    for (LogRecord r : records()) {
      if (r.getLevel().equals(level)) {
        out.add(f.formatMessage(r));
      }
    }
    return out;
  }

  /**
   * Everything captured so far.
   *
   * @return a copy of the records
   */
  public List<LogRecord> records() {
    synchronized (records) {
      return new ArrayList<>(records);
    }
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(previousLevel);
    logger.setUseParentHandlers(previousUseParent);
  }
}
