package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConnectionSnapshotTest {

  private static final Instant T = Instant.ofEpochMilli(1_701_791_990_456L);

  private static ConnectionSnapshot row(long rx, long tx, int requests, Duration firstByte) {
    return new ConnectionSnapshot(
        "b",
        "s",
        ConnectionType.STREAMING,
        null,
        T,
        Duration.ofSeconds(2),
        rx,
        tx,
        requests,
        firstByte,
        Duration.ZERO);
  }

  @Test
  void aValidRowKeepsItsValuesAndMayLackModelAndFirstByte() {
    ConnectionSnapshot c = row(10, 20, 2, null);
    assertThat(c.model()).isNull();
    assertThat(c.firstByte()).isNull();
    assertThat(c.bytesRx()).isEqualTo(10);
    assertThat(c.bytesTx()).isEqualTo(20);
    assertThat(c.requests()).isEqualTo(2);
    assertThat(c).isEqualTo(row(10, 20, 2, null));
  }

  @Test
  void negativeByteCountsAreRejected() {
    assertThatThrownBy(() -> row(-1, 0, 1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytesRx");
    assertThatThrownBy(() -> row(0, -1, 1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytesTx");
  }

  @Test
  void aRowHasAtLeastOneRequest() {
    assertThatThrownBy(() -> row(0, 0, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requests");
  }

  @Test
  void negativeTimesAreRejected() {
    assertThatThrownBy(() -> row(0, 0, 1, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("firstByte");
    assertThatThrownBy(
            () ->
                new ConnectionSnapshot(
                    "b",
                    "s",
                    ConnectionType.STREAMING,
                    null,
                    T,
                    Duration.ofSeconds(-1),
                    0,
                    0,
                    1,
                    null,
                    Duration.ZERO))
        .hasMessageContaining("duration");
    assertThatThrownBy(
            () ->
                new ConnectionSnapshot(
                    "b",
                    "s",
                    ConnectionType.STREAMING,
                    null,
                    T,
                    Duration.ZERO,
                    0,
                    0,
                    1,
                    null,
                    Duration.ofNanos(-1)))
        .hasMessageContaining("idle");
  }

  @Test
  void requiredValuesMustNotBeNull() {
    assertThatThrownBy(
            () ->
                new ConnectionSnapshot(
                    null,
                    "s",
                    ConnectionType.STREAMING,
                    null,
                    T,
                    Duration.ZERO,
                    0,
                    0,
                    1,
                    null,
                    Duration.ZERO))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("backend");
    assertThatThrownBy(
            () ->
                new ConnectionSnapshot(
                    "b", "s", null, null, T, Duration.ZERO, 0, 0, 1, null, Duration.ZERO))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("type");
  }
}
