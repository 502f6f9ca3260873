package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.testing.ManualTracker;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BackendTotalsTest {
  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  @Test
  void totalsAgreeWithASnapshotWithoutBuildingRows() {
    ActivityTracker t = fixture.tracker();
    ActivityHandle a = t.open("openai.1", "s1", ConnectionType.STREAMING, "gpt-4");
    ActivityHandle joined = t.open("openai.1", "s1", ConnectionType.STREAMING, "gpt-4");
    ActivityHandle b = t.open("openai.1", "s2", ConnectionType.NON_STREAMING, null);
    a.addRx(100);
    joined.addTx(30);
    b.addRx(7);
    ActivityHandle gone = t.open("openai.1", "s3", ConnectionType.STREAMING, null);
    gone.addRx(5);
    gone.end(EndReason.CLIENT_ABORTED);
    ActivityHandle idle = t.open("vllm", "s4", ConnectionType.STREAMING, null);
    fixture.clock().advance(Duration.ofMinutes(10));
    a.addRx(1);
    b.addRx(1);
    t.sweep();

    assertThat(t.getBackendTotals("openai.1"))
        .contains(new BackendTotals("openai.1", 2, 3, 114, 30, new EndCounts(0, 1, 0, 0)));
    assertThat(t.getTotals())
        .containsExactlyInAnyOrder(
            t.getBackendTotals("openai.1").orElseThrow(),
            new BackendTotals("vllm", 0, 0, 0, 0, new EndCounts(0, 0, 0, 1)));
    BackendSnapshot snap = t.getBackendSnapshot("openai.1").orElseThrow();
    BackendTotals totals = t.getBackendTotals("openai.1").orElseThrow();
    assertThat(totals.cumulativeBytesRx()).isEqualTo(snap.cumulativeBytesRx());
    assertThat(totals.activeConnections()).isEqualTo(snap.activeConnections());
    assertThat(totals.ended()).isEqualTo(snap.ended());
    assertThat(t.getBackendTotals("unknown")).isEmpty();
    a.close();
    joined.close();
    b.close();
    idle.close();
  }

  @Test
  void negativeCountsAreRejected() {
    assertThatThrownBy(() -> new BackendTotals("b", -1, 0, 0, 0, EndCounts.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("activeConnections");
    assertThatThrownBy(() -> new BackendTotals("b", 0, 0, -1, 0, EndCounts.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cumulativeBytesRx");
  }
}
