package dev.inflight.activity.testing;

import dev.inflight.activity.ActivityClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when told to, so that stale-timeout and duration tests never sleep.
 *
 * <p>Both time sources move together: {@link #advance} adds the same amount to the monotonic
 * nanoseconds and to the wall clock. The monotonic origin is deliberately far from zero (and from
 * {@link System#nanoTime()}) so that code which treats it as an absolute time is caught.
 * Thread-safe: tests may advance it while tracker threads read it.
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock();
 * ActivityTracker tracker = ActivityTracker.create(ActivitySettings.builder()
 *     .enabled(true).clock(clock).sweepInterval(Duration.ZERO).build());
 * clock.advance(Duration.ofMinutes(6));
 * tracker.sweep();
 * }</pre>
 */
public final class FakeClock implements ActivityClock {

  /** The wall-clock start used by {@link #FakeClock()}: the seed's sample timestamp. */
  public static final Instant DEFAULT_START = Instant.ofEpochMilli(1_701_791_990_456L);

  private static final long NANO_ORIGIN = 7_000_000_000_000_000L;

  private final AtomicLong elapsedNanos = new AtomicLong();
  private final long startEpochMillis;

  /** A clock whose wall time starts at {@link #DEFAULT_START}. */
  public FakeClock() {
    this(DEFAULT_START);
  }

  /**
   * A clock whose wall time starts at {@code start}.
   *
   * @param start the initial wall-clock time
   */
  public FakeClock(Instant start) {
    this.startEpochMillis = Objects.requireNonNull(start, "start").toEpochMilli();
  }

  /**
   * Moves both time sources forward.
   *
   * @param amount how far; zero or positive
   * @return this clock
   * @throws IllegalArgumentException if {@code amount} is negative (a monotonic clock never goes
   *     back)
   */
  public FakeClock advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a monotonic clock cannot go back: " + amount);
    }
    elapsedNanos.addAndGet(amount.toNanos());
    return this;
  }

  /**
   * How far the clock moved since it was created.
   *
   * @return the total of all advances
   */
  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos.get());
  }

  /**
   * The current wall-clock time.
   *
   * @return the start plus everything advanced so far
   */
  public Instant now() {
    return Instant.ofEpochMilli(epochMillis());
  }

  @Override
  public long nanoTime() {
    return NANO_ORIGIN + elapsedNanos.get();
  }

  @Override
  public long epochMillis() {
    return startEpochMillis + elapsedNanos.get() / 1_000_000L;
  }

  @Override
  public String toString() {
    return "FakeClock{" + now() + ", elapsed=" + elapsed() + '}';
  }
}
