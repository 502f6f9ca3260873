package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.RequestActivity;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * Where a counting stream counts: the handle it was given, or, when that is a tracked {@link
 * RequestActivity} attached to a row, the request's row handle itself while it is open: one object
 * hop fewer per read or write, and no read of the request (made when it arrives, often pages away
 * from its row) on the byte path. The server measure does not show a saving from it (see the
 * benchmarks README, 2026-12-06, night). Once the row handle is no longer open (a new attach ended
 * it, the request ended, the row was evicted), counting goes through the request again, which knows
 * where its bytes go now.
 *
 * <p>Used by one thread at a time, like the stream that holds it.
 */
public final class CountTarget {
  /** The request's {@code handle} field, read on the slow path only. */
  private static final VarHandle REQUEST_HANDLE;

  static {
    try {
      REQUEST_HANDLE =
          MethodHandles.privateLookupIn(RequestActivity.class, MethodHandles.lookup())
              .findVarHandle(RequestActivity.class, "handle", ActivityHandle.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ActivityHandle given;
  private @Nullable ActivityHandle row;

  /**
   * A target for the stream given {@code handle}.
   *
   * @param handle what the stream was given to count into
   */
  public CountTarget(ActivityHandle handle) {
    this.given = handle;
  }

  /**
   * The handle to count into now: the request's row handle while it is open, else the handle given.
   *
   * @return never null
   */
  public ActivityHandle now() {
    ActivityHandle r = row;
    if (r != null && r.isOpen()) {
      return r;
    }
    r = rowOf(given);
    row = r;
    return r != null ? r : given;
  }

  /** The open row handle of an attached, tracked request that has not ended, else null. */
  private static @Nullable ActivityHandle rowOf(ActivityHandle handle) {
    if (!(handle instanceof RequestActivity r) || !r.isTracking()) {
      return null;
    }
    ActivityHandle h = (ActivityHandle) REQUEST_HANDLE.getVolatile(r);
    return h instanceof RowHandle && h.isOpen() && r.isOpen() ? h : null;
  }
}
