package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ActivityClockTest {

  @Test
  void theSystemClockFollowsTheJdkClocks() {
    ActivityClock c = ActivityClock.system();
    long nanoBefore = System.nanoTime();
    long millisBefore = System.currentTimeMillis();
    long nano = c.nanoTime();
    long millis = c.epochMillis();

    assertThat(nano - nanoBefore).isNotNegative();
    assertThat(millis).isBetween(millisBefore, System.currentTimeMillis());
    assertThat(ActivityClock.system()).isSameAs(c);
  }
}
