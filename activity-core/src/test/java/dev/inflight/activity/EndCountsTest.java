package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndCountsTest {

  @Test
  void eachReasonHasItsOwnCountAndTheTotalSumsThem() {
    EndCounts c = new EndCounts(1, 2, 3, 4);
    assertThat(c.get(EndReason.COMPLETED)).isEqualTo(1);
    assertThat(c.get(EndReason.CLIENT_ABORTED)).isEqualTo(2);
    assertThat(c.get(EndReason.ERRORED)).isEqualTo(3);
    assertThat(c.get(EndReason.EVICTED)).isEqualTo(4);
    assertThat(c.total()).isEqualTo(10);
  }

  @Test
  void countsAdd() {
    assertThat(new EndCounts(1, 2, 3, 4).plus(new EndCounts(10, 20, 30, 40)))
        .isEqualTo(new EndCounts(11, 22, 33, 44));
    assertThat(EndCounts.empty().plus(EndCounts.empty())).isEqualTo(EndCounts.empty());
    assertThat(EndCounts.empty().total()).isZero();
  }

  @Test
  void negativeCountsAreRejected() {
    assertThatThrownBy(() -> new EndCounts(-1, 0, 0, 0)).hasMessageContaining("completed");
    assertThatThrownBy(() -> new EndCounts(0, -1, 0, 0)).hasMessageContaining("clientAborted");
    assertThatThrownBy(() -> new EndCounts(0, 0, -1, 0)).hasMessageContaining("errored");
    assertThatThrownBy(() -> new EndCounts(0, 0, 0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("evicted");
  }
}
