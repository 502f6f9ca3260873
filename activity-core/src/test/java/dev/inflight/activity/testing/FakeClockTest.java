package dev.inflight.activity.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FakeClockTest {

  @Test
  void bothTimeSourcesMoveOnlyWhenAdvanced() {
    FakeClock c = new FakeClock(Instant.parse("2024-01-01T00:00:00Z"));
    long nano = c.nanoTime();
    long millis = c.epochMillis();
    assertThat(c.nanoTime()).isEqualTo(nano);

    c.advance(Duration.ofMillis(1500)).advance(Duration.ofNanos(7));

    assertThat(c.nanoTime() - nano).isEqualTo(1_500_000_007L);
    assertThat(c.epochMillis() - millis).isEqualTo(1500);
    assertThat(c.now()).isEqualTo(Instant.parse("2024-01-01T00:00:01.500Z"));
    assertThat(c.elapsed()).isEqualTo(Duration.ofNanos(1_500_000_007L));
  }

  @Test
  void theDefaultStartIsTheSeedSampleTime() {
    assertThat(new FakeClock().now()).isEqualTo(FakeClock.DEFAULT_START);
  }

  @Test
  void itNeverGoesBack() {
    assertThatThrownBy(() -> new FakeClock().advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void advancesFromManyThreadsAllCount() throws InterruptedException {
    FakeClock c = new FakeClock();
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      threads[i] =
          new Thread(
              () -> {
                for (int k = 0; k < 10_000; k++) {
                  c.advance(Duration.ofNanos(1));
                }
              });
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(c.elapsed()).isEqualTo(Duration.ofNanos(40_000));
  }
}
