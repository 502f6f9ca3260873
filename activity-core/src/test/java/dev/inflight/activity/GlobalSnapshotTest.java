package dev.inflight.activity;

import static dev.inflight.activity.BackendSnapshotTest.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalSnapshotTest {

  private static final Instant T = Instant.ofEpochSecond(1_701_791_990L);

  private final BackendSnapshot a =
      new BackendSnapshot(
          "a", List.of(row("s1", 1, 2), row("s2", 3, 4)), 40, 60, new EndCounts(1, 0, 0, 0));
  private final BackendSnapshot b =
      new BackendSnapshot("b", List.of(row("s3", 5, 6)), 500, 600, new EndCounts(0, 1, 2, 3));

  @Test
  void totalsAreDerivedFromTheBackends() {
    GlobalSnapshot g = new GlobalSnapshot(true, T, List.of(a, b));

    assertThat(g.totalActiveConnections()).isEqualTo(3);
    assertThat(g.totalBytesRx()).isEqualTo(9);
    assertThat(g.totalBytesTx()).isEqualTo(12);
    assertThat(g.cumulativeBytesRx()).isEqualTo(540);
    assertThat(g.cumulativeBytesTx()).isEqualTo(660);
    assertThat(g.ended()).isEqualTo(new EndCounts(1, 1, 2, 3));
    assertThat(g.completedConnections()).isEqualTo(7);
  }

  @Test
  void backendsCanBeLookedUpByName() {
    GlobalSnapshot g = new GlobalSnapshot(true, T, List.of(a, b));
    assertThat(g.backend("b")).contains(b);
    assertThat(g.backend("zzz")).isEmpty();
  }

  @Test
  void theBackendListIsCopiedAndUnmodifiable() {
    List<BackendSnapshot> source = new ArrayList<>(List.of(a));
    GlobalSnapshot g = new GlobalSnapshot(true, T, source);
    source.add(b);

    assertThat(g.backends()).containsExactly(a);
    assertThatThrownBy(() -> g.backends().add(b)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void disabledAndEmptySnapshotsHaveNothingInThem() {
    GlobalSnapshot off = GlobalSnapshot.disabled(T);
    GlobalSnapshot empty = GlobalSnapshot.empty(T);

    assertThat(off.enabled()).isFalse();
    assertThat(empty.enabled()).isTrue();
    for (GlobalSnapshot g : List.of(off, empty)) {
      assertThat(g.takenAt()).isEqualTo(T);
      assertThat(g.backends()).isEmpty();
      assertThat(g.totalActiveConnections()).isZero();
      assertThat(g.cumulativeBytesRx()).isZero();
      assertThat(g.completedConnections()).isZero();
    }
  }

  @Test
  void theTimeIsRequired() {
    assertThatThrownBy(() -> new GlobalSnapshot(true, null, List.of()))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void recentlyEndedRowsAreCopiedAndEmptyByDefault() {
    EndedConnection ended =
        new EndedConnection(
            "b",
            "s",
            ConnectionType.STREAMING,
            null,
            T,
            Duration.ofSeconds(1),
            null,
            1,
            2,
            1,
            EndReason.COMPLETED);
    ArrayList<EndedConnection> source = new ArrayList<>(List.of(ended));
    GlobalSnapshot g = new GlobalSnapshot(true, T, List.of(), source);
    source.clear();
    assertThat(g.recent()).containsExactly(ended);
    assertThat(new GlobalSnapshot(true, T, List.of()).recent()).isEmpty();
    assertThat(GlobalSnapshot.disabled(T).recent()).isEmpty();
  }
}
