package dev.inflight.activity;

import dev.inflight.activity.internal.Names;
import dev.inflight.activity.internal.Registry;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Tracks the connections a proxy holds open to its backends: one row per (backend, session), with
 * byte counters in both directions, live snapshots and a stale sweeper.
 *
 * <pre>{@code
 * ActivityTracker tracker = ActivityTracker.create(
 *     ActivitySettings.builder().enabled(true).build());
 * ActivityTracker.setGlobal(tracker);               // optional: the process-wide instance
 *
 * try (ActivityHandle h = tracker.open("openai.1", "abc123", ConnectionType.STREAMING, "gpt-4")) {
 *   h.addRx(512);                                   // bytes from the backend
 *   h.addTx(498);                                   // bytes to the client
 * }
 * GlobalSnapshot s = tracker.getGlobalSnapshot();
 * System.out.println("Active connections: " + s.totalActiveConnections());
 * }</pre>
 *
 * <p><b>Rows and joins.</b> A second request for a (backend, session) pair that is already open
 * joins its row: the row's {@code requests} goes up, bytes of both requests add up, and the row
 * ends when its last request ends.
 *
 * <p><b>Disabled.</b> A disabled tracker ({@link #disabled()}, and {@link #global()} until one is
 * installed) does no work: {@link #open} returns the shared {@link ActivityHandle#noop()} and
 * allocates nothing. Adapters check {@link #isEnabled()} and do not even wrap streams.
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>All methods may be called from any thread.
 *   <li>Adding bytes to a handle is O(1), lock-free and allocation-free, and does not depend on how
 *       many rows are open.
 *   <li>Every row ends exactly once, whatever the order of ends, errors, aborts and evictions.
 *   <li>Snapshots are immutable and never block writers; see {@link BackendSnapshot} for what their
 *       cumulative counters promise.
 *   <li>{@link EndedConnectionListener}s are called once per ended row, outside the tracker's locks
 *       and never on the byte path.
 * </ol>
 */
public final class ActivityTracker implements AutoCloseable {

  private static final ActivityTracker DISABLED = new ActivityTracker(null);
  private static volatile ActivityTracker global = DISABLED;

  private final @Nullable Registry registry;
  private volatile boolean closed;

  private ActivityTracker(@Nullable Registry registry) {
    this.registry = registry;
  }

  /**
   * Creates a tracker. When {@code settings.enabled()} is false it is a disabled tracker and no
   * thread is started; otherwise a sweeper thread starts unless the sweep interval is zero.
   *
   * @param settings the settings
   * @return a new tracker; {@link #close()} it to stop its sweeper
   */
  public static ActivityTracker create(ActivitySettings settings) {
    Objects.requireNonNull(settings, "settings");
    return settings.enabled() ? new ActivityTracker(new Registry(settings)) : DISABLED;
  }

  /**
   * The shared disabled tracker.
   *
   * @return a tracker that tracks nothing
   */
  public static ActivityTracker disabled() {
    return DISABLED;
  }

  /**
   * The process-wide tracker: disabled until {@link #setGlobal} installs another one. Adapters that
   * were not given a tracker look this up per request, so installing one later takes effect at
   * once.
   *
   * @return the current global tracker
   */
  public static ActivityTracker global() {
    return global;
  }

  /**
   * Installs the process-wide tracker. The previous one is returned, not closed.
   *
   * @param tracker the new global tracker
   * @return the previous global tracker
   */
  public static ActivityTracker setGlobal(ActivityTracker tracker) {
    Objects.requireNonNull(tracker, "tracker");
    ActivityTracker previous = global;
    global = tracker;
    return previous;
  }

  /**
   * Whether this tracker records anything: true for an enabled tracker until it is closed.
   *
   * @return true if tracking is on
   */
  public boolean isEnabled() {
    return registry != null && !closed;
  }

  /**
   * Whether this tracker counts server-sent events ({@link ActivitySettings#countEvents()}).
   *
   * @return true if tracking is on and events are counted
   */
  public boolean countsEvents() {
    Registry r = registry;
    return r != null && r.countsEvents();
  }

  /**
   * Opens a row for (backend, session), or joins it if it is already open.
   *
   * <p>Names are kept safe: control and bidi-override characters are replaced and long values are
   * cut (backend and model to 128 chars, session id to 256).
   *
   * @param backend the backend instance name, e.g. {@code openai.1}; not blank
   * @param sessionId the session id; not blank (see {@link #newSessionId()} if there is none)
   * @param type streaming or not
   * @param model the model, or null if unknown
   * @return the request's handle; the shared no-op handle if tracking is off
   * @throws IllegalArgumentException if backend or session id is null or blank
   */
  public ActivityHandle open(
      String backend, String sessionId, ConnectionType type, @Nullable String model) {
    Registry r = registry;
    if (r == null || closed) {
      return ActivityHandle.noop();
    }
    return r.open(backend, sessionId, type, model);
  }

  /**
   * Starts tracking one request whose backend is not chosen yet. Adapters call this when a request
   * arrives; the application later calls {@link RequestActivity#attach}. Bytes counted before the
   * attach are kept and moved into the row.
   *
   * @param sessionId the session id from the request, or null to generate one when needed
   * @return a new request activity, or the shared no-op one if tracking is off
   */
  public RequestActivity beginRequest(@Nullable String sessionId) {
    if (!isEnabled()) {
      return RequestActivity.disabled();
    }
    return new RequestActivity(this, sessionId);
  }

  /**
   * A fresh random session id, for requests that did not carry one.
   *
   * @return a new id such as {@code gen-3f9c0a1b2d4e5f60}
   */
  public static String newSessionId() {
    return Names.generateSessionId();
  }

  /**
   * A snapshot of every backend and row, like the seed's {@code get_global_snapshot()}.
   *
   * @return an immutable snapshot; {@code enabled == false} for a disabled tracker
   */
  public GlobalSnapshot getGlobalSnapshot() {
    Registry r = registry;
    if (r == null) {
      return GlobalSnapshot.disabled(Instant.now());
    }
    GlobalSnapshot s = r.snapshot();
    List<EndedConnection> recent = r.endings().recent();
    return recent.isEmpty()
        ? s
        : new GlobalSnapshot(s.enabled(), s.takenAt(), s.backends(), recent);
  }

  /**
   * The most recently ended rows, newest first: as many as {@link
   * ActivitySettings#recentConnections()} keeps. Also part of {@link #getGlobalSnapshot()}.
   *
   * @return an immutable list; empty when disabled or when the settings keep none
   */
  public List<EndedConnection> recentlyEnded() {
    Registry r = registry;
    return r == null ? List.of() : r.endings().recent();
  }

  /**
   * The totals of every backend (active rows and requests, cumulative bytes, end counts), read
   * without building the rows: cheap enough for every metrics scrape.
   *
   * @return one entry per backend the tracker has seen, in no particular order; empty when disabled
   */
  public List<BackendTotals> getTotals() {
    Registry r = registry;
    return r == null ? List.of() : r.totals();
  }

  /**
   * The totals of one backend, read without building its rows.
   *
   * @param name the backend instance name
   * @return its totals, or empty if the tracker has not seen it (always empty when disabled)
   */
  public Optional<BackendTotals> getBackendTotals(String name) {
    Registry r = registry;
    return r == null ? Optional.empty() : Optional.ofNullable(r.totals(name));
  }

  /**
   * Adds a listener told about every row that ends from now on (see {@link EndedConnectionListener}
   * for when and where it runs). A disabled tracker ignores it: it has no rows to end.
   *
   * @param listener the listener; adding it twice makes it called twice
   */
  public void addEndedListener(EndedConnectionListener listener) {
    Objects.requireNonNull(listener, "listener");
    Registry r = registry;
    if (r != null) {
      r.endings().add(listener);
    }
  }

  /**
   * Removes a listener added with {@link #addEndedListener} or through the settings.
   *
   * @param listener the listener
   * @return true if it was registered (one registration is removed)
   */
  public boolean removeEndedListener(EndedConnectionListener listener) {
    Registry r = registry;
    return r != null && r.endings().remove(listener);
  }

  /**
   * A snapshot of one backend.
   *
   * @param name the backend instance name
   * @return its snapshot, or empty if the tracker has not seen it (always empty when disabled)
   */
  public Optional<BackendSnapshot> getBackendSnapshot(String name) {
    Registry r = registry;
    return r == null ? Optional.empty() : Optional.ofNullable(r.snapshot(name));
  }

  /**
   * The number of active rows, without taking a snapshot.
   *
   * @return the row count; 0 when disabled
   */
  public int activeConnections() {
    Registry r = registry;
    return r == null ? 0 : r.activeConnections();
  }

  /**
   * Runs a stale sweep now, in the calling thread: evicts every row that made no byte progress for
   * the stale timeout. The sweeper thread calls this on its schedule.
   *
   * @return the number of rows evicted
   */
  public int sweep() {
    Registry r = registry;
    return r == null ? 0 : r.sweep();
  }

  /**
   * Stops the sweeper thread and stops tracking: afterwards {@link #isEnabled()} is false and
   * {@link #open} returns the no-op handle. Handles already open keep working harmlessly and
   * snapshots still show what is left. Idempotent; the disabled tracker ignores it.
   */
  @Override
  public void close() {
    Registry r = registry;
    if (r != null) {
      closed = true;
      r.close();
    }
  }

  @Override
  public String toString() {
    if (registry == null) {
      return "ActivityTracker{disabled}";
    }
    return "ActivityTracker{active=" + registry.activeConnections() + (closed ? ", closed}" : "}");
  }
}
