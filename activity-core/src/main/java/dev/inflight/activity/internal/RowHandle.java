package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** One request's handle on a row. The row may be shared by several joined requests. */
final class RowHandle implements ActivityHandle {
  private final Registry registry;
  final Row row;
  private volatile boolean ended;

  /** Guarded by this: whether this request's client left (see {@link #clientLeft}). */
  private boolean clientLeft;

  /**
   * Written by the one thread that reads the backend's stream at a time: the {@link SseScan} state
   * after the last chunk.
   */
  private int sse = SseScan.INITIAL;

  /**
   * Written with {@link #sse}: whether chunks are read in O(1) from now on (the row had its first
   * content, and events are not counted), so that the common chunk reads no other object's field.
   */
  private boolean quick;

  /** Like {@link #sse}, for the stream sent to the client, by its one writer at a time. */
  private int sseTx = SseScan.INITIAL;

  /**
   * Written with {@link #sse}: when the last chunk that completed a backend event was read, or
   * {@link Row#NO_FIRST_BYTE} before the first.
   */
  private long lastEventNanos = Row.NO_FIRST_BYTE;

  /** Whether the backend's last chunk ended with the stream's last event. */
  private volatile boolean lastEventSeen;

  /** A view of the last array given to {@link #addRx(byte[], int, int)}, read in place. */
  private @Nullable ByteBuffer view;

  /** The array {@link #view} wraps. */
  private byte @Nullable [] viewed;

  RowHandle(Registry registry, Row row) {
    this.registry = registry;
    this.row = row;
  }

  @Override
  public void addRx(long bytes) {
    if (bytes <= 0) {
      requireNonNegative(bytes);
      return;
    }
    if (!ended) {
      row.addRx(bytes);
    }
  }

  @Override
  public void addRx(byte[] chunk, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, chunk.length);
    if (length == 0 || ended) {
      return;
    }
    if (row.type != ConnectionType.STREAMING) {
      row.addRx(length);
      return;
    }
    if (quick) {
      int read = SseScan.quick(chunk, offset, offset + length, sse);
      if (read != SseScan.IN_BUFFER) {
        count(read & 0xFFFFFFFFL, length);
        return;
      }
    }
    ByteBuffer v = view;
    if (v == null || viewed != chunk) {
      v = ByteBuffer.wrap(chunk);
      view = v;
      viewed = chunk;
    }
    counted(v, offset, offset + length);
  }

  @Override
  public void addRx(ByteBuffer chunk) {
    int from = chunk.position();
    int to = chunk.limit();
    if (from >= to || ended) {
      return;
    }
    if (row.type != ConnectionType.STREAMING) {
      row.addRx(to - from);
      return;
    }
    if (quick && chunk.hasArray()) {
      int base = chunk.arrayOffset();
      int read = SseScan.quick(chunk.array(), base + from, base + to, sse);
      if (read != SseScan.IN_BUFFER) {
        count(read & 0xFFFFFFFFL, to - from);
        return;
      }
    }
    counted(chunk, from, to);
  }

  /**
   * Reads a streaming row's chunk, then counts it: a comment-only chunk is counted as comments
   * before RX (see {@link Row#rxComments}); the last-event mark follows the count, so an end that
   * sees the mark also sees the chunk's bytes. Every line is walked while the row has no first
   * content, or always when events are counted; then events are counted after the bytes, and a
   * chunk that completes one reads the clock for the gap since the last. Otherwise the chunk is
   * read in O(1) ({@link SseScan#quick}); the add methods try a chunk's array first, which is about
   * twice as fast as reading it through a buffer.
   */
  private void counted(ByteBuffer b, int from, int to) {
    long scanned;
    if (quick) {
      scanned = SseScan.quick(b, from, to, sse);
    } else {
      boolean judge = row.firstContentNanos == Row.NO_FIRST_BYTE;
      if (judge || registry.countEvents) {
        scanned = SseScan.scan(b, from, to, sse, judge);
      } else {
        quick = true;
        scanned = SseScan.quick(b, from, to, sse);
      }
    }
    count(scanned, to - from);
  }

  /**
   * Counts a chunk of {@code length} bytes as {@link SseScan} read it ({@code scanned} as {@link
   * SseScan#scan} returns).
   */
  private void count(long scanned, int length) {
    Row r = row;
    int flags = (int) scanned;
    sse = flags & SseScan.STATE;
    boolean content = (flags & SseScan.CONTENT) != 0;
    if (!content) {
      r.addRxComments(length);
    }
    r.addRxRead(length, (flags & SseScan.FIRST_CONTENT) != 0);
    int events = (int) (scanned >>> 32);
    if (events > 0 && registry.countEvents) {
      eventsReceived(events);
    }
    if (content) {
      boolean last = (flags & SseScan.TERMINAL) != 0;
      if (last != lastEventSeen) {
        lastEventSeen = last; // content after a last event means it was not the last
      }
    }
  }

  private void eventsReceived(int events) {
    row.addEventsRx(events);
    long now = row.clockNanos();
    if (now == Row.NO_FIRST_BYTE) {
      return;
    }
    long last = lastEventNanos;
    if (last != Row.NO_FIRST_BYTE) {
      row.noteEventGap(Math.max(0, now - last));
    }
    lastEventNanos = now;
  }

  @Override
  public void addTx(byte[] chunk, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, chunk.length);
    if (length == 0 || ended) {
      return;
    }
    row.addTx(length);
    if (registry.countEvents && row.type == ConnectionType.STREAMING) {
      countEventsTx(ByteBuffer.wrap(chunk), offset, offset + length);
    }
  }

  @Override
  public void addTx(ByteBuffer chunk) {
    int from = chunk.position();
    int to = chunk.limit();
    if (from >= to || ended) {
      return;
    }
    row.addTx(to - from);
    if (registry.countEvents && row.type == ConnectionType.STREAMING) {
      countEventsTx(chunk, from, to);
    }
  }

  @Override
  public void countTxEvents(byte[] chunk, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, chunk.length);
    if (length > 0 && !ended && registry.countEvents && row.type == ConnectionType.STREAMING) {
      countEventsTx(ByteBuffer.wrap(chunk), offset, offset + length);
    }
  }

  @Override
  public void countTxEvents(ByteBuffer chunk) {
    int from = chunk.position();
    int to = chunk.limit();
    if (from < to && !ended && registry.countEvents && row.type == ConnectionType.STREAMING) {
      countEventsTx(chunk, from, to);
    }
  }

  private void countEventsTx(ByteBuffer b, int from, int to) {
    long scanned = SseScan.scan(b, from, to, sseTx, false);
    sseTx = (int) scanned & SseScan.STATE;
    int events = (int) (scanned >>> 32);
    if (events > 0) {
      row.addEventsTx(events);
    }
  }

  /**
   * This request's client is gone (a write to it failed, or it reset the stream) while the request
   * goes on; when every request of the row is in that state, the row is orphaned. Once per handle.
   */
  void clientLeft() {
    synchronized (this) {
      if (ended || clientLeft) {
        return;
      }
      clientLeft = true;
    }
    row.clientLeft();
  }

  @Override
  public void addTx(long bytes) {
    if (bytes <= 0) {
      requireNonNegative(bytes);
      return;
    }
    if (!ended) {
      row.addTx(bytes);
    }
  }

  @Override
  public void end(EndReason reason) {
    if (ended) {
      return;
    }
    boolean gone;
    // A monitor rather than a VarHandle: its fast path is compiled in place at any depth.
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      gone = clientLeft;
    }
    if (gone) {
      row.goneClientEnded();
    }
    registry.endRequest(row, afterLastEvent(reason));
  }

  /**
   * A stream that sent its last event has completed, whoever closes the connection after it: an
   * abort or an error is then only the end of a finished exchange.
   */
  private EndReason afterLastEvent(EndReason reason) {
    return lastEventSeen && (reason == EndReason.CLIENT_ABORTED || reason == EndReason.ERRORED)
        ? EndReason.COMPLETED
        : reason;
  }

  @Override
  public void close() {
    end(EndReason.COMPLETED);
  }

  @Override
  public boolean isOpen() {
    return !ended && !row.isSealed();
  }

  static void requireNonNegative(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("byte count must not be negative, got " + bytes);
    }
  }

  @Override
  public String toString() {
    return "ActivityHandle{" + row.backend.name + '/' + row.sessionId + (ended ? ", ended}" : "}");
  }
}
