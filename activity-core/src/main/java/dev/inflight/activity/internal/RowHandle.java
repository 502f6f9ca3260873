package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.EndReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** One request's handle on a row. The row may be shared by several joined requests. */
final class RowHandle implements ActivityHandle {
  private static final VarHandle ENDED;

  static {
    try {
      ENDED = MethodHandles.lookup().findVarHandle(RowHandle.class, "ended", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

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
    if (ENDED.compareAndSet(this, false, true)) {
      registry.endRequest(row, reason);
    }
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
