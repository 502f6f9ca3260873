package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.RequestActivity;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * Where a counting stream counts: the handle it was given, or, when that is a tracked {@link
 * RequestActivity} attached to a row, the request's row handle itself while it is open: no read of
 * the request (made when it arrives, often pages away from its row) on the byte path. Once the row
 * handle is no longer open (a new attach ended it, the request ended, the row was evicted),
 * counting goes through the request again, which knows where its bytes go now.
 *
 * <p>The stream keeps the row handle in a field of its own rather than in an object of this class:
 * one object fewer to make per stream and to touch per read or write (the server measure shows no
 * saving from it either way, see the benchmarks README, 2026-12-07). The stream's pattern:
 *
 * <pre>{@code
 * private @Nullable ActivityHandle row;
 *
 * private ActivityHandle target() {
 *   ActivityHandle last = row;
 *   ActivityHandle h = CountTarget.now(given, last);
 *   if (h != last) {
 *     row = h;
 *   }
 *   return h;
 * }
 * }</pre>
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

  private CountTarget() {}

  /**
   * Where to count now: {@code last} if it is a row handle that is still open, else the open row
   * handle of {@code given} when that is an attached, tracked request that has not ended, else
   * {@code given} itself.
   *
   * @param given what the stream was given to count into
   * @param last what this returned the last time, or null
   * @return the handle to count into, for the stream to keep for the next call
   */
  public static ActivityHandle now(ActivityHandle given, @Nullable ActivityHandle last) {
    if (last instanceof RowHandle && last.isOpen()) {
      return last;
    }
    ActivityHandle row = rowOf(given);
    return row != null ? row : given;
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
