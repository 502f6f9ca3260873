package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EndedConnectionTest {
  private static final Instant T = Instant.ofEpochMilli(1_701_791_990_456L);

  private static EndedConnection ended(Duration duration, long rx, int requests) {
    return new EndedConnection(
        "b",
        "s",
        ConnectionType.STREAMING,
        null,
        T,
        duration,
        null,
        rx,
        0,
        requests,
        EndReason.COMPLETED);
  }

  @Test
  void itEndsItsDurationAfterItsStart() {
    assertThat(ended(Duration.ofMillis(1500), 0, 1).endedAt()).isEqualTo(T.plusMillis(1500));
  }

  @Test
  void badValuesAreRejected() {
    assertThatThrownBy(() -> ended(Duration.ofSeconds(-1), 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration");
    assertThatThrownBy(() -> ended(Duration.ZERO, -1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytesRx");
    assertThatThrownBy(() -> ended(Duration.ZERO, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requests");
    assertThatThrownBy(
            () ->
                new EndedConnection(
                    "b",
                    "s",
                    ConnectionType.STREAMING,
                    null,
                    T,
                    Duration.ZERO,
                    Duration.ofSeconds(-1),
                    0,
                    0,
                    1,
                    EndReason.COMPLETED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("firstByte");
  }
}
