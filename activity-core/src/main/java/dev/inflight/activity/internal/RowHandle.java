package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.EndReason;

/** One request's handle on a row. The row may be shared by several joined requests. */
final class RowHandle implements ActivityHandle {
  private final Registry registry;
  final Row row;
  private volatile boolean ended;

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
    // A monitor rather than a VarHandle: its fast path is compiled in place at any depth.
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
    }
    registry.endRequest(row, reason);
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
