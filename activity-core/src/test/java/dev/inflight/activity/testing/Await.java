package dev.inflight.activity.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits for something another thread does (a container ending a request, a sweeper thread), with a
 * bound: polls a condition until it holds or a deadline passes, then fails naming what it waited
 * for. Where the code under test can signal, use a latch ({@link #await(CountDownLatch)}) instead.
 *
 * <pre>{@code
 * Await.until("the aborted request ended", () -> tracker.activeConnections() == 0);
 * }</pre>
 */
public final class Await {

  /** How long a test waits for an asynchronous outcome unless told otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

  /** Between polls: short, so a test ends soon after the condition holds. */
  private static final long POLL_MILLIS = 5;

  private Await() {}

  /**
   * Polls until {@code condition} holds, for at most {@link #DEFAULT_TIMEOUT}.
   *
   * @param what what is awaited, for the failure message
   * @param condition the condition
   * @throws AssertionError if it does not hold in time
   */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT_TIMEOUT, condition);
  }

  /**
   * Polls until {@code condition} holds, for at most {@code timeout}.
   *
   * @param what what is awaited, for the failure message
   * @param timeout the longest wait
   * @param condition the condition
   * @throws AssertionError if it does not hold in time, or the thread is interrupted
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(POLL_MILLIS); // a bounded poll of another thread's progress
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting until " + what, e);
      }
    }
  }

  /**
   * Waits for a latch, for at most {@link #DEFAULT_TIMEOUT}.
   *
   * @param latch the latch
   * @throws AssertionError if it does not open in time, or the thread is interrupted
   */
  public static void await(CountDownLatch latch) {
    try {
      if (!latch.await(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "timed out after " + DEFAULT_TIMEOUT + " waiting for a latch at " + latch.getCount());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a latch", e);
    }
  }
}
