package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ActivityHandleTest {

  @Test
  void theNoopHandleIsSharedStatelessAndNeverOpen() {
    ActivityHandle noop = ActivityHandle.noop();
    noop.addRx(1);
    noop.addTx(1);
    noop.end(EndReason.ERRORED);
    noop.close();

    assertThat(ActivityHandle.noop()).isSameAs(noop);
    assertThat(noop.isOpen()).isFalse();
  }

  @Test
  void closeEndsAsCompletedByDefault() {
    EndReason[] seen = new EndReason[1];
    ActivityHandle h =
        new ActivityHandle() {
          @Override
          public void addRx(long bytes) {}

          @Override
          public void addTx(long bytes) {}

          @Override
          public void end(EndReason reason) {
            seen[0] = reason;
          }

          @Override
          public boolean isOpen() {
            return seen[0] == null;
          }
        };
    h.close();
    assertThat(seen[0]).isEqualTo(EndReason.COMPLETED);
  }
}
