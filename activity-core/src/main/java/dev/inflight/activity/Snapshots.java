package dev.inflight.activity;

import java.time.Duration;

/** Validation shared by the snapshot records. */
final class Snapshots {
  private Snapshots() {}

  static void requireNonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
  }

  static void requireNonNegative(Duration value, String name) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
  }
}
