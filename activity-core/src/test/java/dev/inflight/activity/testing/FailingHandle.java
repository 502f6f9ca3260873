package dev.inflight.activity.testing;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.EndReason;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open handle whose counting always throws, for checking that an adapter's own bookkeeping never
 * breaks the request it serves. It remembers how many bytes it was asked to add.
 */
public final class FailingHandle implements ActivityHandle {
  private final AtomicLong attempted = new AtomicLong();

  @Override
  public void addRx(long bytes) {
    attempted.addAndGet(bytes);
    throw new IllegalStateException("counter broken");
  }

  @Override
  public void addTx(long bytes) {
    attempted.addAndGet(bytes);
    throw new IllegalStateException("counter broken");
  }

  @Override
  public void end(EndReason reason) {}

  @Override
  public boolean isOpen() {
    return true;
  }

  /**
   * The bytes the adapter tried to add.
   *
   * @return their sum
   */
  public long attempted() {
    return attempted.get();
  }
}
