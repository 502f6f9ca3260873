package dev.inflight.activity;

/**
 * The two time sources the tracker needs: a monotonic one for durations and staleness, and the wall
 * clock for {@code started_at}. Injected through {@link ActivitySettings} so that tests can advance
 * time instead of sleeping.
 *
 * <p>Implementations must be thread-safe. The tracker never reads the clock when bytes are added,
 * only when connections open and close, when the first byte goes to the client, and when snapshots
 * are taken or the sweeper runs.
 */
public interface ActivityClock {

  /**
   * A monotonic time in nanoseconds, with an arbitrary origin, like {@link System#nanoTime()}.
   *
   * @return the current monotonic time
   */
  long nanoTime();

  /**
   * The wall-clock time in milliseconds since the epoch, like {@link System#currentTimeMillis()}.
   *
   * @return the current wall-clock time
   */
  long epochMillis();

  /**
   * The system clock.
   *
   * @return a clock backed by {@link System#nanoTime()} and {@link System#currentTimeMillis()}
   */
  static ActivityClock system() {
    return SystemClock.INSTANCE;
  }
}

enum SystemClock implements ActivityClock {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long epochMillis() {
    return System.currentTimeMillis();
  }
}
