package dev.inflight.activity.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class LogCaptureTest {

  @Test
  void systemLoggerMessagesArriveFormattedAndStopAfterClose() {
    System.Logger log = System.getLogger(LogCapture.LOGGER);
    LogCapture logs = LogCapture.start();
    try {
      log.log(System.Logger.Level.WARNING, "cap of {0} reached", 3);
      log.log(System.Logger.Level.ERROR, "boom");
      assertThat(logs.messages(Level.WARNING)).containsExactly("cap of 3 reached");
      assertThat(logs.messages(Level.SEVERE)).containsExactly("boom");
    } finally {
      logs.close();
    }
    log.log(System.Logger.Level.WARNING, "after");
    assertThat(logs.records()).hasSize(2);
  }
}
