package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendSnapshotTest {

  static ConnectionSnapshot row(String session, long rx, long tx) {
    return new ConnectionSnapshot(
        "b",
        session,
        ConnectionType.STREAMING,
        "m",
        Instant.EPOCH,
        Duration.ZERO,
        rx,
        tx,
        1,
        null,
        Duration.ZERO);
  }

  @Test
  void activeTotalsAreTheSumsOfTheRows() {
    BackendSnapshot b =
        new BackendSnapshot(
            "b", List.of(row("a", 1, 10), row("c", 2, 20)), 100, 200, new EndCounts(3, 1, 0, 1));

    assertThat(b.activeConnections()).isEqualTo(2);
    assertThat(b.totalBytesRx()).isEqualTo(3);
    assertThat(b.totalBytesTx()).isEqualTo(30);
    assertThat(b.cumulativeBytesRx()).isEqualTo(100);
    assertThat(b.completedConnections()).isEqualTo(5);
  }

  @Test
  void theRowListIsCopiedAndUnmodifiable() {
    List<ConnectionSnapshot> source = new ArrayList<>(List.of(row("a", 1, 1)));
    BackendSnapshot b = new BackendSnapshot("b", source, 1, 1, EndCounts.empty());
    source.add(row("late", 5, 5));

    assertThat(b.connections()).hasSize(1);
    assertThatThrownBy(() -> b.connections().add(row("x", 0, 0)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void negativeCumulativeCountsAreRejected() {
    assertThatThrownBy(() -> new BackendSnapshot("b", List.of(), -1, 0, EndCounts.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cumulativeBytesRx");
    assertThatThrownBy(() -> new BackendSnapshot("b", List.of(), 0, -1, EndCounts.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cumulativeBytesTx");
  }

  @Test
  void nullsAreRejected() {
    assertThatThrownBy(() -> new BackendSnapshot(null, List.of(), 0, 0, EndCounts.empty()))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new BackendSnapshot("b", List.of(), 0, 0, null))
        .isInstanceOf(NullPointerException.class);
    List<ConnectionSnapshot> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> new BackendSnapshot("b", withNull, 0, 0, EndCounts.empty()))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void anEmptyBackendHasNoRowsAndNoHistory() {
    BackendSnapshot e = BackendSnapshot.empty("x");
    assertThat(e.name()).isEqualTo("x");
    assertThat(e.connections()).isEmpty();
    assertThat(e.totalBytesRx()).isZero();
    assertThat(e.cumulativeBytesTx()).isZero();
    assertThat(e.completedConnections()).isZero();
  }
}
