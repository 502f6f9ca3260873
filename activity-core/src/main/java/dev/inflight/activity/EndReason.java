package dev.inflight.activity;

/**
 * How a request or a connection row ended. Each backend counts its ended rows by reason.
 *
 * <p>When several joined requests share one row, the row is counted under the most severe reason
 * any of them gave, in the order of declaration ({@code EVICTED} is the most severe).
 */
public enum EndReason {
  /** The response was fully sent. */
  COMPLETED("completed"),
  /** The client went away before the response was complete. */
  CLIENT_ABORTED("client_aborted"),
  /** The request failed with an error (exception, async error or timeout). */
  ERRORED("errored"),
  /** The tracker removed the row: no byte progress for the stale timeout, or the row cap. */
  EVICTED("evicted");

  private final String wireName;

  EndReason(String wireName) {
    this.wireName = wireName;
  }

  /**
   * The key used in the diagnostics JSON.
   *
   * @return the wire name, e.g. {@code client_aborted}
   */
  public String wireName() {
    return wireName;
  }
}
