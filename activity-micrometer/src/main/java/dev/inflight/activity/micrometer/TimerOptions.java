package dev.inflight.activity.micrometer;

/** How the binder builds its timers. Immutable. */
final class TimerOptions {
  final boolean modelTag;
  final boolean percentileHistogram;
  private final double[] percentiles;

  TimerOptions(boolean modelTag, boolean percentileHistogram, double[] percentiles) {
    this.modelTag = modelTag;
    this.percentileHistogram = percentileHistogram;
    this.percentiles = percentiles.clone();
  }

  double[] percentiles() {
    return percentiles.clone();
  }
}
