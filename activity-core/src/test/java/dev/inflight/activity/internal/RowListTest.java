package dev.inflight.activity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RowListTest {

  private final FakeClock clock = new FakeClock();
  private final ActivityTracker tracker =
      ActivityTracker.create(
          ActivitySettings.builder()
              .enabled(true)
              .clock(clock)
              .sweepInterval(Duration.ZERO)
              .build());

  @AfterEach
  void close() {
    tracker.close();
  }

  private BackendSnapshot snapshot() {
    return tracker.getBackendSnapshot("b").orElseThrow();
  }

  @Test
  void rowsNotYetReadKeepTheValuesOfTheMomentTheSnapshotWasTaken() {
    ActivityHandle a = tracker.open("b", "a", ConnectionType.STREAMING, "m1");
    clock.advance(Duration.ofMillis(5));
    ActivityHandle b = tracker.open("b", "b", ConnectionType.NON_STREAMING, null);
    a.addRx(10);
    b.addTx(7);
    BackendSnapshot taken = snapshot();

    a.addRx(100);
    b.addTx(100);
    tracker.open("b", "b", ConnectionType.STREAMING, "m2"); // joins: type, model, requests change
    clock.advance(Duration.ofSeconds(3));
    a.close();

    List<ConnectionSnapshot> rows = taken.connections();
    assertThat(rows).extracting(ConnectionSnapshot::sessionId).containsExactly("a", "b");
    assertThat(rows.get(0).bytesRx()).isEqualTo(10);
    assertThat(rows.get(0).duration()).isEqualTo(Duration.ofMillis(5));
    assertThat(rows.get(1).bytesTx()).isEqualTo(7);
    assertThat(rows.get(1).requests()).isEqualTo(1);
    assertThat(rows.get(1).type()).isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(rows.get(1).model()).isNull();
    assertThat(rows.get(1).firstByte()).isEqualTo(Duration.ZERO);
    assertThat(taken.totalBytesRx()).isEqualTo(10);
    assertThat(taken.totalBytesTx()).isEqualTo(7);
  }

  @Test
  void theListIsImmutableBuildsEachRecordOnceAndEqualsAPlainList() {
    tracker.open("b", "a", ConnectionType.STREAMING, null).addRx(3);
    tracker.open("b", "c", ConnectionType.STREAMING, null).addTx(4);
    List<ConnectionSnapshot> rows = snapshot().connections();

    assertThat(rows).isInstanceOf(RowList.class);
    assertThat(rows.get(1)).isSameAs(rows.get(1));
    assertThat(rows).isEqualTo(List.copyOf(rows));
    assertThat(List.copyOf(rows)).isEqualTo(rows);
    assertThat(rows.hashCode()).isEqualTo(List.copyOf(rows).hashCode());
    ConnectionSnapshot first = rows.get(0);
    assertThatThrownBy(() -> rows.add(first)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> rows.set(0, first)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> rows.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(rows::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> rows.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void aSnapshotBuiltFromAPlainListStillCopiesIt() {
    ConnectionSnapshot row = snapshotOfOneRow();
    java.util.ArrayList<ConnectionSnapshot> mutable = new java.util.ArrayList<>(List.of(row));
    BackendSnapshot b =
        new BackendSnapshot("b", mutable, 0, 0, dev.inflight.activity.EndCounts.empty());
    mutable.clear();
    assertThat(b.connections()).containsExactly(row);
    assertThat(b.totalBytesRx()).isEqualTo(row.bytesRx());
  }

  private ConnectionSnapshot snapshotOfOneRow() {
    tracker.open("b", "x", ConnectionType.STREAMING, null).addRx(9);
    return snapshot().connections().get(0);
  }
}
