package dev.inflight.activity.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Padding before the published count, so that no other field shares its cache line. */
@SuppressWarnings("unused")
abstract class RowCountPadBefore {
  long p00, p01, p02, p03, p04, p05, p06, p07;
  long p08, p09, p10, p11, p12, p13, p14, p15;

  /** Takes the gap after the object header, which the JVM would otherwise fill with a field. */
  int gap;
}

/** The published count and the bounds read with it, between the two paddings. */
abstract class RowCountFields extends RowCountPadBefore {
  /** The rows the stripes published so far, in batches; see {@link RowCount}. */
  volatile int published;

  /** The most a stripe holds back, plus one: a stripe publishes when it reaches this either way. */
  final int batch;

  /** The most all stripes together may hold back. */
  final int slack;

  RowCountFields(int cap, int stripes) {
    // The exact count is read only within the slack of the cap: at most an eighth of it, at most
    // 63 rows a stripe, and none at all for a cap too small to spare any.
    this.batch = Math.max(1, Math.min(64, cap / (8 * stripes)));
    this.slack = stripes * (batch - 1);
  }
}

/**
 * The registry's row count as the stripes publish it, in batches, so that the cap check on every
 * open reads one line that is written rarely, instead of every stripe's size, which the threads
 * owning the other stripes write on every open and close.
 *
 * <p>Each stripe counts the rows it linked and unlinked since it last published ({@link
 * Stripe#unpublished}) and adds them here, under its lock, once they reach {@link #batch} either
 * way. At every moment the rows in the registry are therefore at most {@link #published} plus
 * {@link #slack}, and a published value that far below the cap proves the registry below it without
 * reading a stripe. The exact count (the stripes' sizes added up) is read only within that slack of
 * the cap.
 */
@SuppressWarnings("unused")
final class RowCount extends RowCountFields {
  long q00, q01, q02, q03, q04, q05, q06, q07;
  long q08, q09, q10, q11, q12, q13, q14, q15;

  private static final VarHandle PUBLISHED;

  static {
    try {
      PUBLISHED =
          MethodHandles.lookup().findVarHandle(RowCountFields.class, "published", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Creates the count of a registry.
   *
   * @param cap the registry's row cap
   * @param stripes the number of stripes
   */
  RowCount(int cap, int stripes) {
    super(cap, stripes);
  }

  /**
   * Adds a stripe's unpublished rows. Only under that stripe's lock.
   *
   * @param rows the rows linked less the rows unlinked since the stripe last published
   */
  void publish(int rows) {
    // Off the common path: once per batch of a stripe's rows, so a VarHandle call is cheap enough.
    PUBLISHED.getAndAdd(this, rows);
  }

  /**
   * Whether the registry is surely below {@code cap} rows, judged from the published count alone.
   *
   * @param cap the row cap
   * @return true if the rows are fewer than the cap; false if they may not be
   */
  boolean surelyBelow(int cap) {
    return (long) published + slack < cap;
  }
}
