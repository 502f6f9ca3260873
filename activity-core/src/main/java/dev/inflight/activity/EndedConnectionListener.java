package dev.inflight.activity;

/**
 * Told once about every connection row that ends, whatever the reason: completion, error, client
 * abort or eviction. Exporters use it to record durations and times to first byte; register one
 * with {@link ActivitySettings.Builder#endedListener} or {@link ActivityTracker#addEndedListener}.
 *
 * <pre>{@code
 * tracker.addEndedListener(ended ->
 *     log.info(ended.backend() + " ended " + ended.reason() + " after " + ended.duration()));
 * }</pre>
 *
 * <p>When and where it runs:
 *
 * <ol>
 *   <li>Once per row, after the row has ended and its bytes are folded into the backend's totals,
 *       so a snapshot or {@link ActivityTracker#getTotals()} taken by the listener already counts
 *       the row as ended.
 *   <li>Never on the byte path and never under the tracker's locks: it runs on the thread that
 *       ended the row (the request's thread that closed the last handle, the thread that opened a
 *       row past the cap, or the sweeper thread), or on a thread ending another row at the same
 *       moment. Listeners may therefore be called concurrently and must be thread-safe.
 *   <li>It delays the thread it runs on, often a request's thread: keep it short and non-blocking.
 *   <li>An exception it throws is caught and logged (once per run of failures, until the listener
 *       succeeds again); it never reaches the request, the tracker or other listeners.
 * </ol>
 */
@FunctionalInterface
public interface EndedConnectionListener {

  /**
   * Called once when a row ends.
   *
   * @param ended what the row was and how it ended
   */
  void connectionEnded(EndedConnection ended);
}
