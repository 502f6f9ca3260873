package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.testing.FakeClock;
import dev.inflight.activity.testing.LogCapture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/**
 * The logs are a door too: what the tracker logs (the cap reached, a failing listener, a failed
 * sweep or open) names backends and counts, never a session id, so that turning a log level up does
 * not publish sessions.
 */
class LogsCarryNoSessionIdTest {

  private static final String SESSION = "user-42-conversation-secret";

  @Test
  void nothingTheTrackerLogsCarriesASessionId() {
    FakeClock clock = new FakeClock();
    try (LogCapture logs = LogCapture.start();
        ActivityTracker tracker =
            ActivityTracker.create(
                ActivitySettings.builder()
                    .enabled(true)
                    .clock(clock)
                    .sweepInterval(Duration.ZERO)
                    .staleTimeout(Duration.ofSeconds(1))
                    .maxConnections(2)
                    .endedListener(
                        ended -> {
                          throw new IllegalStateException("listener down");
                        })
                    .build())) {
      // the cap: a third session evicts an idle one, and the first eviction is logged
      tracker.open("openai.1", SESSION + "-1", ConnectionType.STREAMING, "gpt-4");
      tracker.open("openai.1", SESSION + "-2", ConnectionType.STREAMING, "gpt-4");
      tracker.open("openai.1", SESSION + "-3", ConnectionType.STREAMING, "gpt-4").close();
      // a stale row swept, and the failing listener told of every end
      clock.advance(Duration.ofSeconds(5));
      tracker.sweep();

      assertThat(logs.records()).as("something was logged").isNotEmpty();
      assertThat(logs.records())
          .extracting(LogsCarryNoSessionIdTest::render)
          .anySatisfy(r -> assertThat(r).contains("cap of 2"))
          .anySatisfy(r -> assertThat(r).contains("listener down"))
          .allSatisfy(r -> assertThat(r).doesNotContain(SESSION));
    }
  }

  /** A record as a log file would show it: the message with its parameters, and its stack trace. */
  private static String render(LogRecord r) {
    StringWriter out = new StringWriter();
    out.append(new SimpleFormatter().formatMessage(r));
    if (r.getThrown() != null) {
      r.getThrown().printStackTrace(new PrintWriter(out));
    }
    return out.toString();
  }
}
