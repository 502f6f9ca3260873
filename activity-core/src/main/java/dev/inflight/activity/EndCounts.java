package dev.inflight.activity;

/**
 * Immutable, cumulative counts of how connection rows ended since the tracker started.
 *
 * @param completed rows whose requests all completed
 * @param clientAborted rows ended by a client that went away
 * @param errored rows ended by an error, exception or timeout
 * @param evicted rows removed by the stale sweeper or the row cap
 */
public record EndCounts(long completed, long clientAborted, long errored, long evicted) {

  private static final EndCounts EMPTY = new EndCounts(0, 0, 0, 0);

  /**
   * Rejects negative counts.
   *
   * @param completed rows whose requests all completed
   * @param clientAborted rows ended by a client that went away
   * @param errored rows ended by an error, exception or timeout
   * @param evicted rows removed by the stale sweeper or the row cap
   */
  public EndCounts {
    Snapshots.requireNonNegative(completed, "completed");
    Snapshots.requireNonNegative(clientAborted, "clientAborted");
    Snapshots.requireNonNegative(errored, "errored");
    Snapshots.requireNonNegative(evicted, "evicted");
  }

  /**
   * All zeros.
   *
   * @return the empty counts
   */
  public static EndCounts empty() {
    return EMPTY;
  }

  /**
   * The number of rows that ended for the given reason.
   *
   * @param reason the reason
   * @return the count
   */
  public long get(EndReason reason) {
    return switch (reason) {
      case COMPLETED -> completed;
      case CLIENT_ABORTED -> clientAborted;
      case ERRORED -> errored;
      case EVICTED -> evicted;
    };
  }

  /**
   * All rows that ended, whatever the reason ({@code completed_connections} in the JSON).
   *
   * @return the sum of the four counts
   */
  public long total() {
    return completed + clientAborted + errored + evicted;
  }

  /**
   * Adds two counts, e.g. to sum backends.
   *
   * @param other the counts to add
   * @return the sum
   */
  public EndCounts plus(EndCounts other) {
    return new EndCounts(
        completed + other.completed,
        clientAborted + other.clientAborted,
        errored + other.errored,
        evicted + other.evicted);
  }
}
