package dev.inflight.activity.spring.boot.internal;

import dev.inflight.activity.ActivityTracker;

/**
 * The application's tracker installed as {@link ActivityTracker#global()}; closing puts the
 * previous global tracker back, unless another was installed since.
 */
public final class GlobalTracker implements AutoCloseable {

  private final ActivityTracker tracker;
  private final ActivityTracker previous;

  private GlobalTracker(ActivityTracker tracker, ActivityTracker previous) {
    this.tracker = tracker;
    this.previous = previous;
  }

  /**
   * Installs a tracker as the global one.
   *
   * @param tracker the tracker
   * @return the installation, to close when the application stops
   */
  public static GlobalTracker install(ActivityTracker tracker) {
    return new GlobalTracker(tracker, ActivityTracker.setGlobal(tracker));
  }

  @Override
  public void close() {
    synchronized (GlobalTracker.class) {
      if (ActivityTracker.global() == tracker) {
        ActivityTracker.setGlobal(previous);
      }
    }
  }

  @Override
  public String toString() {
    return "GlobalTracker[" + tracker + "]";
  }
}
