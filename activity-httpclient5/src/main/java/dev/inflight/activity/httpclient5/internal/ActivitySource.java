package dev.inflight.activity.httpclient5.internal;

import dev.inflight.activity.ActivityHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.jspecify.annotations.Nullable;

/** Finds the activity of a call: the context's attribute, else the configured source. */
public final class ActivitySource {

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.httpclient5");
  private static final AtomicBoolean FAILURE_LOGGED = new AtomicBoolean();

  private final String attribute;
  private final Supplier<? extends @Nullable ActivityHandle> fallback;

  /**
   * Creates the source.
   *
   * @param attribute the context attribute holding an explicit activity
   * @param fallback where to look when the context holds none
   */
  public ActivitySource(String attribute, Supplier<? extends @Nullable ActivityHandle> fallback) {
    this.attribute = attribute;
    this.fallback = fallback;
  }

  /**
   * The activity to count a call's response into.
   *
   * @param context the call's context, if any
   * @return an open activity, or null to count nothing
   */
  public @Nullable ActivityHandle find(@Nullable HttpContext context) {
    try {
      Object explicit = context == null ? null : context.getAttribute(attribute);
      ActivityHandle h = explicit instanceof ActivityHandle ? (ActivityHandle) explicit : null;
      if (h == null) {
        h = fallback.get();
      }
      // a disabled tracker's handles are never open: nothing is wrapped, nothing allocated
      return h != null && h.isOpen() ? h : null;
    } catch (RuntimeException e) {
      failed(e);
      return null;
    }
  }

  /**
   * Counts received bytes; a failure is logged once and swallowed, the caller's read goes on.
   *
   * @param handle where to count
   * @param bytes how many
   */
  public static void count(ActivityHandle handle, long bytes) {
    try {
      handle.addRx(bytes);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /**
   * Counts received bytes and hands them to the handle, which reads them in place; a failure is
   * logged once and swallowed, the caller's read goes on.
   *
   * @param handle where to count
   * @param chunk the bytes received
   * @param offset where they start
   * @param length how many there are
   */
  public static void count(ActivityHandle handle, byte[] chunk, int offset, int length) {
    try {
      handle.addRx(chunk, offset, length);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /**
   * Like {@link #count(ActivityHandle, byte[], int, int)} for a buffer's bytes from its position to
   * its limit, which are left as they are.
   *
   * @param handle where to count
   * @param chunk the bytes received
   */
  public static void count(ActivityHandle handle, ByteBuffer chunk) {
    try {
      handle.addRx(chunk);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private static void failed(RuntimeException e) {
    if (FAILURE_LOGGED.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, "Counting received bytes failed", e);
    }
  }
}
