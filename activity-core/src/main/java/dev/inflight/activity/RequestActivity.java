package dev.inflight.activity;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * One incoming request, tracked from its arrival, before the proxy has chosen a backend.
 *
 * <p>An adapter (servlet filter, JAX-RS feature) creates it with {@link
 * ActivityTracker#beginRequest} and counts the bytes written to the client into it. The proxy
 * code calls {@link #attach} once it knows the backend and model; that opens (or joins) the
 * row, and bytes counted before are moved into it, so nothing is lost. The adapter ends it when
 * the response is really finished.
 *
 * <pre>{@code
 * RequestActivity activity = ServletActivity.of(request);   // from the adapter
 * ActivityHandle h = activity.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
 * InputStream body = ActivityStreams.countRx(backendResponse.body(), h);
 * }</pre>
 *
 * <p>A request that never attaches leaves no row. Attaching again moves the request to the new
 * backend: the previous row's share ends as completed (e.g. on fail-over).
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>{@link #addRx} and {@link #addTx} may race with {@link #attach} and {@link #end}: each
 *       byte is counted once, before the attach in this object and after it in the row, and
 *       bytes after the end are ignored.
 *   <li>{@link #attach} and {@link #end} are serialised; only the first {@link #end} counts.
 *   <li>The disabled instance ignores everything and allocates nothing.
 * </ol>
 */
public final class RequestActivity implements ActivityHandle {

  private static final RequestActivity DISABLED = new RequestActivity(null, null);
  /** Pending counter value once the pending bytes moved into a row, or the request ended. */
  private static final long DRAINED = Long.MIN_VALUE;
  private static final VarHandle PENDING_RX;
  private static final VarHandle PENDING_TX;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      PENDING_RX = lookup.findVarHandle(RequestActivity.class, "pendingRx", long.class);
      PENDING_TX = lookup.findVarHandle(RequestActivity.class, "pendingTx", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final @Nullable ActivityTracker tracker;
  private @Nullable String sessionId;
  private volatile @Nullable ActivityHandle handle;
  private volatile long pendingRx;
  private volatile long pendingTx;
  private volatile boolean ended;

  RequestActivity(@Nullable ActivityTracker tracker, @Nullable String sessionId) {
    this.tracker = tracker;
    this.sessionId = sessionId == null || sessionId.isBlank() ? null : sessionId;
  }

  /**
   * The shared instance used when tracking is off.
   *
   * @return a request activity that records nothing
   */
  public static RequestActivity disabled() {
    return DISABLED;
  }

  /**
   * Whether this request is being tracked.
   *
   * @return false for the disabled instance
   */
  public boolean isTracking() {
    return tracker != null;
  }

  /**
   * Opens (or joins) the row for this request's session on {@code backend}.
   *
   * @param backend the backend instance name; not blank
   * @param model the model, or null
   * @param type streaming or not
   * @return this request, now counting into the row
   * @throws IllegalArgumentException if backend is null or blank
   */
  public ActivityHandle attach(String backend, @Nullable String model, ConnectionType type) {
    return attach(backend, null, model, type);
  }

  /**
   * Like {@link #attach(String, String, ConnectionType)}, with an explicit session id that
   * replaces the one the request carried.
   *
   * @param backend the backend instance name; not blank
   * @param sessionId the session id, or null to keep the request's (or generate one)
   * @param model the model, or null
   * @param type streaming or not
   * @return this request, now counting into the row
   * @throws IllegalArgumentException if backend is null or blank
   */
  public synchronized ActivityHandle attach(
      String backend, @Nullable String sessionId, @Nullable String model, ConnectionType type) {
    ActivityTracker t = tracker;
    if (t == null || ended) {
      return this;
    }
    if (sessionId != null && !sessionId.isBlank()) {
      this.sessionId = sessionId;
    } else if (this.sessionId == null) {
      this.sessionId = ActivityTracker.newSessionId();
    }
    ActivityHandle next = t.open(backend, this.sessionId, type, model);
    ActivityHandle previous = handle;
    handle = next;
    // Writers that still see no handle add to the pending counters; draining them after the
    // handle is published sends every such byte to the row exactly once.
    long rx = (long) PENDING_RX.getAndSet(this, DRAINED);
    long tx = (long) PENDING_TX.getAndSet(this, DRAINED);
    if (rx > 0) {
      next.addRx(rx);
    }
    if (tx > 0) {
      next.addTx(tx);
    }
    if (previous != null) {
      previous.end(EndReason.COMPLETED);
    }
    return this;
  }

  /**
   * Whether {@link #attach} was called.
   *
   * @return true once attached
   */
  public boolean isAttached() {
    return handle != null;
  }

  /**
   * The session id: the one the request carried, the one given to {@link #attach}, or a
   * generated one once attached.
   *
   * @return the session id, or null before an attach of a request that carried none
   */
  public synchronized @Nullable String sessionId() {
    return sessionId;
  }

  @Override
  public void addRx(long bytes) {
    if (bytes <= 0) {
      requireNonNegative(bytes);
      return;
    }
    if (tracker == null) {
      return;
    }
    ActivityHandle h = handle;
    if (h == null) {
      long before = (long) PENDING_RX.getAndAdd(this, bytes);
      if (before >= 0) {
        return;
      }
      h = handle; // attached meanwhile: the drain did not see these bytes
      if (h == null) {
        return; // ended without attaching
      }
    }
    h.addRx(bytes);
  }

  @Override
  public void addTx(long bytes) {
    if (bytes <= 0) {
      requireNonNegative(bytes);
      return;
    }
    if (tracker == null) {
      return;
    }
    ActivityHandle h = handle;
    if (h == null) {
      long before = (long) PENDING_TX.getAndAdd(this, bytes);
      if (before >= 0) {
        return;
      }
      h = handle;
      if (h == null) {
        return;
      }
    }
    h.addTx(bytes);
  }

  @Override
  public synchronized void end(EndReason reason) {
    if (tracker == null || ended) {
      return;
    }
    ended = true;
    PENDING_RX.setVolatile(this, DRAINED);
    PENDING_TX.setVolatile(this, DRAINED);
    ActivityHandle h = handle;
    if (h != null) {
      h.end(reason);
    }
  }

  @Override
  public void close() {
    end(EndReason.COMPLETED);
  }

  /**
   * Whether bytes are still counted: tracking is on and the request has not ended (nor its row
   * been evicted).
   *
   * @return true while counting
   */
  @Override
  public boolean isOpen() {
    if (tracker == null || ended) {
      return false;
    }
    ActivityHandle h = handle;
    return h == null || h.isOpen();
  }

  private static void requireNonNegative(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("byte count must not be negative, got " + bytes);
    }
  }

  @Override
  public String toString() {
    return tracker == null ? "RequestActivity{disabled}" : "RequestActivity{" + handle + "}";
  }
}
