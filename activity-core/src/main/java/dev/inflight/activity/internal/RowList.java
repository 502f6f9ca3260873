package dev.inflight.activity.internal;

import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * The rows of one backend's snapshot: every value read when the snapshot was taken, kept in
 * primitive arrays in the order the rows were read. Each row object is read once, in one pass. The
 * order oldest first is sorted when an element is first asked for, and a {@link ConnectionSnapshot}
 * is built only when that element is asked for (then kept): a snapshot read only for its counts or
 * totals sorts nothing and builds no records. Immutable: the mutators of {@link AbstractList}
 * throw, and every element is fixed at construction.
 *
 * <p>Thread-safety: the order and the elements are made on demand without a lock; threads racing
 * may each make them, with equal values. The order is published through a volatile field, records
 * through their final fields.
 */
public final class RowList extends AbstractList<ConnectionSnapshot> implements RandomAccess {
  private static final long NO_FIRST_BYTE = -1;

  private final String backend;
  private final long now;
  private final int size;
  private volatile int @Nullable [] order;
  private final String[] sessions;
  private final ConnectionType[] types;
  private final @Nullable String[] models;
  private final long[] startedMillis;
  private final long[] startedNanos;
  private final long[] rx;
  private final long[] tx;
  private final int[] requests;
  private final long[] firstByteNanos;
  private final long[] firstContentNanos;
  private final long[] progressNanos;
  private final long[] contentNanos;
  private final long[] orphanedRx;
  private final long[] eventsRx;
  private final long[] eventsTx;
  private final long[] maxEventGapNanos;
  private final long stallNanos;
  private final @Nullable ConnectionSnapshot[] built;
  private final long totalRx;
  private final long totalTx;

  private RowList(Builder b, long now, long stallNanos) {
    this.backend = b.backend;
    this.now = now;
    this.sessions = b.sessions;
    this.types = b.types;
    this.models = b.models;
    this.startedMillis = b.startedMillis;
    this.startedNanos = b.startedNanos;
    this.rx = b.rx;
    this.tx = b.tx;
    this.requests = b.requests;
    this.firstByteNanos = b.firstByteNanos;
    this.firstContentNanos = b.firstContentNanos;
    this.progressNanos = b.progressNanos;
    this.contentNanos = b.contentNanos;
    this.orphanedRx = b.orphanedRx;
    this.eventsRx = b.eventsRx;
    this.eventsTx = b.eventsTx;
    this.maxEventGapNanos = b.maxEventGapNanos;
    this.stallNanos = stallNanos;
    this.totalRx = b.totalRx;
    this.totalTx = b.totalTx;
    this.size = b.n;
    this.built = new ConnectionSnapshot[b.n];
  }

  @Override
  public ConnectionSnapshot get(int index) {
    ConnectionSnapshot c = built[index];
    if (c == null) {
      int[] o = order;
      if (o == null) {
        o = orderByStart(startedNanos, sessions, size);
        order = o;
      }
      int k = o[index];
      long first = firstByteNanos[k];
      long firstContent = firstContentNanos[k];
      long backendIdle = Math.max(0, now - contentNanos[k]);
      long orphaned = orphanedRx[k];
      long gap = maxEventGapNanos[k];
      c =
          new ConnectionSnapshot(
              backend,
              sessions[k],
              types[k],
              models[k],
              Instant.ofEpochMilli(startedMillis[k]),
              Duration.ofNanos(Math.max(0, now - startedNanos[k])),
              rx[k],
              tx[k],
              requests[k],
              first == NO_FIRST_BYTE ? null : Duration.ofNanos(first),
              Duration.ofNanos(Math.max(0, now - progressNanos[k])),
              Duration.ofNanos(backendIdle),
              backendIdle >= stallNanos,
              orphaned != Row.NOT_ORPHANED,
              Math.max(0, orphaned),
              firstContent == NO_FIRST_BYTE ? null : Duration.ofNanos(firstContent),
              eventsRx[k],
              eventsTx[k],
              gap < 0 ? null : Duration.ofNanos(gap));
      built[index] = c;
    }
    return c;
  }

  @Override
  public int size() {
    return size;
  }

  /**
   * The sum of the rows' RX, without building them.
   *
   * @return bytes
   */
  public long totalRx() {
    return totalRx;
  }

  /**
   * The sum of the rows' TX, without building them.
   *
   * @return bytes
   */
  public long totalTx() {
    return totalTx;
  }

  /** The value {@link Row#firstByteNanos()} gives for a row without a first byte yet. */
  static long noFirstByte() {
    return NO_FIRST_BYTE;
  }

  /**
   * The order of the first {@code n} rows, oldest first, ties by session id. Sorting row objects
   * with a comparator was half the cost of a large snapshot, so start times are sorted as primitive
   * keys carrying the row's index in their low bits; only runs of equal keys are then sorted by
   * session id. When the spread of start times is too wide for the key (about 19 hours at 100,000
   * rows), start times are coarsened, so rows started within the same few microseconds may come in
   * session order instead of start order.
   */
  static int[] orderByStart(long[] started, String[] sessions, int n) {
    int[] order = new int[n];
    if (n < 2) {
      return order;
    }
    long base = started[0];
    long min = 0;
    long max = 0;
    for (int i = 0; i < n; i++) {
      long d = started[i] - base; // differences are safe across nanoTime wrap-around
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    int indexBits = 64 - Long.numberOfLeadingZeros(n - 1);
    int rangeBits = 64 - Long.numberOfLeadingZeros(max - min);
    int shift = Math.max(0, rangeBits - (63 - indexBits));
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = (((started[i] - base - min) >>> shift) << indexBits) | i;
    }
    Arrays.sort(keys);
    long indexMask = (1L << indexBits) - 1;
    for (int i = 0; i < n; i++) {
      order[i] = (int) (keys[i] & indexMask);
    }
    int runStart = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || (keys[i] >>> indexBits) != (keys[runStart] >>> indexBits)) {
        if (i - runStart > 1) {
          sortRun(started, sessions, order, runStart, i);
        }
        runStart = i;
      }
    }
    return order;
  }

  /** Sorts {@code order[from..to)} by start time, then session id; runs are rare and short. */
  private static void sortRun(long[] started, String[] sessions, int[] order, int from, int to) {
    Integer[] idx = new Integer[to - from];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = order[from + i];
    }
    Arrays.sort(
        idx,
        (x, y) -> {
          int c = Long.signum(started[x] - started[y]);
          return c != 0 ? c : sessions[x].compareTo(sessions[y]);
        });
    for (int i = 0; i < idx.length; i++) {
      order[from + i] = idx[i];
    }
  }

  /**
   * Collects one backend's rows as a snapshot reads them, each row's fields read once. Used by one
   * thread.
   */
  static final class Builder {
    private final String backend;
    private int n;
    private String[] sessions;
    private ConnectionType[] types;
    private @Nullable String[] models;
    private long[] startedMillis;
    private long[] startedNanos;
    private long[] rx;
    private long[] tx;
    private int[] requests;
    private long[] firstByteNanos;
    private long[] firstContentNanos;
    private long[] progressNanos;
    private long[] contentNanos;
    private long[] orphanedRx;
    private long[] eventsRx;
    private long[] eventsTx;
    private long[] maxEventGapNanos;
    private long totalRx;
    private long totalTx;

    /**
     * Starts a list.
     *
     * @param backend the backend's name
     * @param expected how many rows are expected; more may be added
     */
    Builder(String backend, int expected) {
      this.backend = backend;
      allocate(Math.max(16, expected));
    }

    private void allocate(int capacity) {
      sessions = new String[capacity];
      types = new ConnectionType[capacity];
      models = new String[capacity];
      startedMillis = new long[capacity];
      startedNanos = new long[capacity];
      rx = new long[capacity];
      tx = new long[capacity];
      requests = new int[capacity];
      firstByteNanos = new long[capacity];
      firstContentNanos = new long[capacity];
      progressNanos = new long[capacity];
      contentNanos = new long[capacity];
      orphanedRx = new long[capacity];
      eventsRx = new long[capacity];
      eventsTx = new long[capacity];
      maxEventGapNanos = new long[capacity];
    }

    /** How many rows were added so far. */
    int size() {
      return n;
    }

    /**
     * Adds a row, with the counters and progress time the snapshot read from it.
     *
     * @param row the row
     * @param rxBytes its RX as read
     * @param txBytes its TX as read
     * @param progress its last progress time, monotonic nanoseconds
     * @param content when its backend last sent content, monotonic nanoseconds
     */
    void add(Row row, long rxBytes, long txBytes, long progress, long content) {
      if (n == sessions.length) {
        grow();
      }
      int i = n++;
      sessions[i] = row.sessionId;
      types[i] = row.type;
      models[i] = row.model;
      startedMillis[i] = row.startedEpochMillis;
      startedNanos[i] = row.startedNanos;
      rx[i] = rxBytes;
      tx[i] = txBytes;
      requests[i] = Math.max(1, row.requests);
      firstByteNanos[i] = row.firstByteNanos();
      firstContentNanos[i] = row.firstContentNanos();
      progressNanos[i] = progress;
      contentNanos[i] = content;
      orphanedRx[i] = row.rxSinceOrphaned(rxBytes);
      eventsRx[i] = row.eventsRx;
      eventsTx[i] = row.eventsTx;
      maxEventGapNanos[i] = row.maxEventGapNanos;
      totalRx += rxBytes;
      totalTx += txBytes;
    }

    /** Rows were added while the snapshot looked: make room for as many again. */
    private void grow() {
      int capacity = n * 2;
      sessions = Arrays.copyOf(sessions, capacity);
      types = Arrays.copyOf(types, capacity);
      models = Arrays.copyOf(models, capacity);
      startedMillis = Arrays.copyOf(startedMillis, capacity);
      startedNanos = Arrays.copyOf(startedNanos, capacity);
      rx = Arrays.copyOf(rx, capacity);
      tx = Arrays.copyOf(tx, capacity);
      requests = Arrays.copyOf(requests, capacity);
      firstByteNanos = Arrays.copyOf(firstByteNanos, capacity);
      firstContentNanos = Arrays.copyOf(firstContentNanos, capacity);
      progressNanos = Arrays.copyOf(progressNanos, capacity);
      contentNanos = Arrays.copyOf(contentNanos, capacity);
      orphanedRx = Arrays.copyOf(orphanedRx, capacity);
      eventsRx = Arrays.copyOf(eventsRx, capacity);
      eventsTx = Arrays.copyOf(eventsTx, capacity);
      maxEventGapNanos = Arrays.copyOf(maxEventGapNanos, capacity);
    }

    long totalRx() {
      return totalRx;
    }

    long totalTx() {
      return totalTx;
    }

    /**
     * The list, ordered oldest first.
     *
     * @param now the snapshot's monotonic time
     * @param stallNanos the tracker's stall time: a row whose backend sent no content for as long
     *     is stalled
     * @return the list
     */
    RowList build(long now, long stallNanos) {
      return new RowList(this, now, stallNanos);
    }
  }
}
