package dev.inflight.activity.internal;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.jspecify.annotations.Nullable;

/**
 * Padding before the counters, so that two rows never share the counters' cache line: one line's
 * worth on each side. (Twice that would also keep adjacent-line prefetching apart, at 128 more
 * bytes a row; rows are written from microseconds apart in a proxy, so a line is enough.)
 */
@SuppressWarnings("unused")
abstract class RowPadBefore {
  long p00, p01, p02, p03, p04, p05, p06, p07;

  /** Takes the gap after the object header, which the JVM would otherwise fill with an int. */
  int gap;
}

/**
 * The two byte counters, the only fields written on the hot path, and what every read or write also
 * reads: the row's type and whether its first byte and first content were timed. Together, so that
 * counting a chunk touches as few cache lines of the row as can be.
 */
abstract class RowCounters extends RowPadBefore {
  /** Bytes from the backend; {@link Row#SEALED} or less once the row ended. */
  volatile long rx;

  /** Bytes to the client; {@link Row#SEALED} or less once the row ended. */
  volatile long tx;

  /** When the first byte went to the client, or {@link Row#NO_FIRST_BYTE}. */
  volatile long firstTxNanos = Row.NO_FIRST_BYTE;

  /**
   * When the backend's first content arrived (on a streaming row whose chunks the tracker reads,
   * the first chunk with content outside keep-alives and control events, see {@link SseScan}), or
   * {@link Row#NO_FIRST_BYTE}.
   */
  volatile long firstContentNanos = Row.NO_FIRST_BYTE;

  /** Streaming or not; changed under the row's bin lock, when a streaming request joins. */
  volatile ConnectionType type;

  RowCounters(ConnectionType type) {
    this.type = type;
  }
}

/**
 * What a snapshot reads of a row besides the counters, right after them, so that a snapshot touches
 * one or two cache lines of each row. Written rarely: on joins, on the first byte to the client,
 * and by snapshots and sweeps when the bytes moved; a writer's counters share a line with them, not
 * with fields that change on every open and close nearby (those come after the padding).
 */
abstract class RowSnapshotFields extends RowCounters {
  final long startedNanos;
  final long startedEpochMillis;

  /** The byte total when progress was last seen, and when. */
  volatile long lastSeenBytes;

  volatile long lastProgressNanos;

  /** Guarded by the lock of this row's bin in the backend's {@link SessionTable}. */
  volatile int requests = 1;

  /**
   * Bytes of RX chunks that held only server-sent-event comments (keep-alive pings): counted in
   * {@link #rx} too, but not progress for the stall mark. Added before {@link #rx}, so a reader
   * that reads {@code rx} first never sees a comment as content.
   */
  volatile long rxComments;

  /** The backend's content total ({@code rx - rxComments}) when it last grew, and when. */
  volatile long lastSeenContent;

  volatile long lastContentNanos;

  /** How many of the row's requests lost their client (see {@link Row#clientLeft}). */
  volatile int clientsGone;

  /** RX when every request of the row had lost its client, or {@link Row#NOT_ORPHANED}. */
  volatile long rxWhenOrphaned = Row.NOT_ORPHANED;

  /** Server-sent events received from the backend (see {@link SseScan}). */
  volatile long eventsRx;

  /** Server-sent events sent to the client. */
  volatile long eventsTx;

  /** The largest time between two consecutive backend events, or {@link Row#NO_GAP}. */
  volatile long maxEventGapNanos = Row.NO_GAP;

  final String sessionId;
  volatile @Nullable String model;

  RowSnapshotFields(
      String sessionId,
      ConnectionType type,
      @Nullable String model,
      long startedNanos,
      long startedEpochMillis) {
    super(type);
    this.sessionId = sessionId;
    this.model = model;
    this.startedNanos = startedNanos;
    this.startedEpochMillis = startedEpochMillis;
    this.lastProgressNanos = startedNanos;
    this.lastContentNanos = startedNanos;
  }
}

/** Padding after the snapshot's fields. */
@SuppressWarnings("unused")
abstract class RowPadAfter extends RowSnapshotFields {
  long q00, q01, q02, q03, q04, q05, q06, q07;

  RowPadAfter(
      String sessionId,
      ConnectionType type,
      @Nullable String model,
      long startedNanos,
      long startedEpochMillis) {
    super(sessionId, type, model, startedNanos, startedEpochMillis);
  }
}

/**
 * The clock hand's links and what changes on joins and ends, between the snapshot's padding and the
 * row's last one: the links change whenever a row is linked or unlinked next to this one in its
 * stripe, so they must share no line with the counters, nor with whatever object follows this one
 * in memory (a long-lived row at the end of its stripe has its links written on every open and
 * close in that stripe).
 */
abstract class RowLinks extends RowPadAfter {
  /** Guarded by the stripe's lock: the clock hand's list. */
  @Nullable Row prev;

  /** Guarded by the stripe's lock. */
  @Nullable Row next;

  /** Guarded by the stripe's lock: whether the row is in the stripe's list. */
  boolean linked;

  /** Guarded by the stripe's lock: {@link Row#activity()} when the hand last passed. */
  long handMark;

  /**
   * Written like {@link #requests}: how many requests shared the row over its life. Volatile, as
   * the clock hand reads it under another lock.
   */
  volatile int requestsSeen = 1;

  /** Guarded like {@link #requests}: the most severe reason given so far. */
  EndReason reason = EndReason.COMPLETED;

  RowLinks(
      String sessionId,
      ConnectionType type,
      @Nullable String model,
      long startedNanos,
      long startedEpochMillis) {
    super(sessionId, type, model, startedNanos, startedEpochMillis);
  }
}

/**
 * One connection row: a (backend, session) pair and its counters.
 *
 * <p>Thread-safety:
 *
 * <ol>
 *   <li>Byte counters are updated with one atomic add each; when the row ends they are swapped for
 *       {@link #SEALED} in one atomic step, so every add lands either before the swap (counted
 *       once, in the fold) or after it (ignored): nothing lost, nothing twice.
 *   <li>{@code requests}, {@code reason}, {@code type} and {@code model} change only inside the
 *       lock of the row's bin in the backend's {@link SessionTable}, which serialises join and end.
 *   <li>The progress marks are written by the sweeper and by snapshots; racing writers store nearly
 *       equal times, so the race is harmless.
 * </ol>
 */
public final class Row extends RowLinks {
  /** Counter value of an ended row; later adds keep it negative. */
  static final long SEALED = Long.MIN_VALUE;

  static final long NO_FIRST_BYTE = Long.MIN_VALUE;

  /** {@link #rxWhenOrphaned} of a row that some request's client still reads. */
  static final long NOT_ORPHANED = -1;

  /** {@link #maxEventGapNanos} before a second event. */
  static final long NO_GAP = -1;

  // Field updaters rather than VarHandles: their atomic operations are intrinsics that compile in
  // place at any depth, while a VarHandle call the compiler does not inline (a request's stack in a
  // container is some thirty frames deep) runs its generic path, with type checks, on every write.
  private static final AtomicLongFieldUpdater<RowCounters> RX =
      AtomicLongFieldUpdater.newUpdater(RowCounters.class, "rx");
  private static final AtomicLongFieldUpdater<RowCounters> TX =
      AtomicLongFieldUpdater.newUpdater(RowCounters.class, "tx");
  private static final AtomicLongFieldUpdater<RowCounters> FIRST_TX =
      AtomicLongFieldUpdater.newUpdater(RowCounters.class, "firstTxNanos");
  private static final AtomicLongFieldUpdater<RowCounters> FIRST_CONTENT =
      AtomicLongFieldUpdater.newUpdater(RowCounters.class, "firstContentNanos");
  private static final AtomicLongFieldUpdater<RowSnapshotFields> RX_COMMENTS =
      AtomicLongFieldUpdater.newUpdater(RowSnapshotFields.class, "rxComments");
  private static final AtomicLongFieldUpdater<RowSnapshotFields> EVENTS_RX =
      AtomicLongFieldUpdater.newUpdater(RowSnapshotFields.class, "eventsRx");
  private static final AtomicLongFieldUpdater<RowSnapshotFields> EVENTS_TX =
      AtomicLongFieldUpdater.newUpdater(RowSnapshotFields.class, "eventsTx");
  private static final AtomicIntegerFieldUpdater<RowSnapshotFields> CLIENTS_GONE =
      AtomicIntegerFieldUpdater.newUpdater(RowSnapshotFields.class, "clientsGone");
  private static final AtomicLongFieldUpdater<RowSnapshotFields> MAX_GAP =
      AtomicLongFieldUpdater.newUpdater(RowSnapshotFields.class, "maxEventGapNanos");
  private static final AtomicLongFieldUpdater<RowSnapshotFields> RX_WHEN_ORPHANED =
      AtomicLongFieldUpdater.newUpdater(RowSnapshotFields.class, "rxWhenOrphaned");

  @SuppressWarnings("unused")
  private long r00, r01, r02, r03, r04, r05, r06, r07;

  final BackendState backend;
  private final Registry owner;

  /** The stripe this row is linked into (see {@link Stripe}). */
  final Stripe stripe;

  Row(
      Registry owner,
      BackendState backend,
      String sessionId,
      ConnectionType type,
      @Nullable String model,
      long startedNanos,
      long startedEpochMillis,
      Stripe stripe) {
    super(sessionId, type, model, startedNanos, startedEpochMillis);
    this.owner = owner;
    this.backend = backend;
    this.stripe = stripe;
    this.handMark = 1; // activity() of a new row: no bytes, one request
  }

  /** When the row was opened, on the wall clock. */
  Instant startedAt() {
    return Instant.ofEpochMilli(startedEpochMillis);
  }

  /**
   * What the clock hand compares between visits: the bytes moved plus the requests seen, so that
   * byte progress and joins both count as activity. Negative once the row ended.
   */
  long activity() {
    long r = rx;
    long t = tx;
    if (r < 0 || t < 0) {
      return -1;
    }
    return r + t + requestsSeen;
  }

  void addRx(long bytes) {
    long before = RX.getAndAdd(this, bytes);
    if (firstContentNanos == NO_FIRST_BYTE && before >= 0) {
      recordFirstContent();
    }
  }

  /** Counts a chunk the tracker read: only content is the backend's first content. */
  void addRxRead(long bytes, boolean content) {
    long before = RX.getAndAdd(this, bytes);
    if (content && firstContentNanos == NO_FIRST_BYTE && before >= 0) {
      recordFirstContent();
    }
  }

  /** Off the common path: runs once per row; a failing clock must not fail the read. */
  private void recordFirstContent() {
    long now;
    try {
      now = owner.clock.nanoTime();
    } catch (RuntimeException e) {
      return; // the next content tries again
    }
    FIRST_CONTENT.compareAndSet(this, NO_FIRST_BYTE, now);
  }

  /** Nanoseconds from opening to the backend's first content, or {@link RowList#noFirstByte()}. */
  long firstContentNanos() {
    long first = firstContentNanos;
    return first == NO_FIRST_BYTE ? RowList.noFirstByte() : Math.max(0, first - startedNanos);
  }

  /** Time from opening to the backend's first content, or null if none yet. */
  @Nullable Duration firstContent() {
    long nanos = firstContentNanos();
    return nanos == RowList.noFirstByte() ? null : Duration.ofNanos(nanos);
  }

  /** Counts events a backend chunk completed; a no-op on the row once it ended. */
  void addEventsRx(int events) {
    if (rx >= 0) {
      EVENTS_RX.getAndAdd(this, events);
    }
  }

  /** Counts events a chunk written to the client completed. */
  void addEventsTx(int events) {
    if (tx >= 0) {
      EVENTS_TX.getAndAdd(this, events);
    }
  }

  /**
   * The tracker's monotonic clock, or {@link #NO_FIRST_BYTE} if it failed: a failing clock must not
   * fail the read that asked.
   */
  long clockNanos() {
    try {
      return owner.clock.nanoTime();
    } catch (RuntimeException e) {
      return NO_FIRST_BYTE;
    }
  }

  /**
   * Records a gap between two backend events of one request; keeps the largest. Racing requests of
   * a joined row retry, which is rare: gaps only grow the mark a few times in a stream.
   */
  void noteEventGap(long nanos) {
    long max;
    while (nanos > (max = maxEventGapNanos)) {
      if (MAX_GAP.compareAndSet(this, max, nanos)) {
        return;
      }
    }
  }

  /** The largest gap between two backend events, or null before a second event. */
  @Nullable Duration maxEventGap() {
    long gap = maxEventGapNanos;
    return gap < 0 ? null : Duration.ofNanos(gap);
  }

  /** Counts an RX chunk of comments only; called just before {@link #addRx} of the same bytes. */
  void addRxComments(long bytes) {
    RX_COMMENTS.getAndAdd(this, bytes);
  }

  /**
   * One more request of this row lost its client. When that is every request the row has, the row
   * is orphaned: what the backend sends from now on reaches nobody.
   */
  void clientLeft() {
    int gone = CLIENTS_GONE.incrementAndGet(this);
    if (gone >= requests) {
      long r = rx;
      if (r >= 0) {
        RX_WHEN_ORPHANED.compareAndSet(this, NOT_ORPHANED, r);
      }
    }
  }

  /** A request whose client had left ends (before the row's request count drops). */
  void goneClientEnded() {
    CLIENTS_GONE.decrementAndGet(this);
  }

  /**
   * RX received since the row was orphaned, or {@link #NOT_ORPHANED}; {@code rxNow} is an RX value
   * the caller read.
   */
  long rxSinceOrphaned(long rxNow) {
    long at = rxWhenOrphaned;
    return at == NOT_ORPHANED || clientsGone < requests ? NOT_ORPHANED : Math.max(0, rxNow - at);
  }

  void addTx(long bytes) {
    long before = TX.getAndAdd(this, bytes);
    if (firstTxNanos == NO_FIRST_BYTE && before >= 0) {
      recordFirstTx();
    }
  }

  /** Off the common path: runs once per row; a failing clock must not fail the write. */
  private void recordFirstTx() {
    long now;
    try {
      now = owner.clock.nanoTime();
    } catch (RuntimeException e) {
      return; // the next byte tries again
    }
    FIRST_TX.compareAndSet(this, NO_FIRST_BYTE, now);
  }

  /** Called under the row's bin lock when another request joins this row. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // serialised by the bin lock; volatile for readers
  void join(ConnectionType joinedType, @Nullable String joinedModel, long nowNanos) {
    requests++;
    requestsSeen++;
    if (joinedType == ConnectionType.STREAMING) {
      type = ConnectionType.STREAMING;
    }
    if (joinedModel != null) {
      model = joinedModel;
    }
    rxWhenOrphaned = NOT_ORPHANED; // a new client reads the row again
    lastProgressNanos = nowNanos;
  }

  /** Records a request's reason, keeping the most severe one. Called under the row's bin lock. */
  @SuppressWarnings("EnumOrdinal") // EndReason is declared from least to most severe
  void noteReason(EndReason r) {
    if (r.ordinal() > reason.ordinal()) {
      reason = r;
    }
  }

  /**
   * Ends the RX counter: swaps it for {@link #SEALED}. The row's end is decided here: whoever gets
   * a non-negative value ended it, and then seals TX with {@link #sealTx()}.
   *
   * @return RX as it was, or a negative value if the row was already sealed
   */
  long sealRx() {
    return RX.getAndSet(this, SEALED);
  }

  /**
   * Ends the TX counter, after {@link #sealRx()}.
   *
   * @return TX as it was
   */
  long sealTx() {
    return TX.getAndSet(this, SEALED);
  }

  boolean isSealed() {
    return rx < 0;
  }

  /**
   * Nanoseconds from opening to the first byte sent to the client, or {@link RowList#noFirstByte()}
   * if none yet.
   */
  long firstByteNanos() {
    long first = firstTxNanos;
    return first == NO_FIRST_BYTE ? RowList.noFirstByte() : Math.max(0, first - startedNanos);
  }

  /** Time from opening to the first byte sent to the client, or null if none yet. */
  @Nullable Duration firstByte() {
    long nanos = firstByteNanos();
    return nanos == RowList.noFirstByte() ? null : Duration.ofNanos(nanos);
  }

  /**
   * Updates the backend's content mark from {@code content} ({@code rx - rxComments}, RX read
   * first) and returns when the backend last sent content. Only growth is progress: a reader that
   * saw a comment chunk's {@link #rxComments} before its {@link #rx} reads a smaller total, which
   * is not progress. Reads no clock.
   */
  long observeContent(long content, long nowNanos) {
    if (content > lastSeenContent) {
      lastSeenContent = content;
      lastContentNanos = nowNanos;
      return nowNanos;
    }
    return lastContentNanos;
  }

  /**
   * Updates the progress mark from the current byte total and returns the time of the last progress
   * seen. Reads no clock: {@code nowNanos} comes from the caller.
   */
  long observeProgress(long total, long nowNanos) {
    if (total != lastSeenBytes) {
      lastSeenBytes = total;
      lastProgressNanos = nowNanos;
      return nowNanos;
    }
    return lastProgressNanos;
  }
}
