package dev.inflight.activity.json;

import java.util.List;
import java.util.Objects;

/**
 * The {@code /v1/diagnostics} document, parsed: a typed, immutable client view.
 *
 * @param timestamp when the server took the snapshot, epoch seconds
 * @param activityTrackingEnabled {@code activity_tracking_enabled}
 * @param instances the backend instances
 * @param globalActivity the totals over all instances
 * @param recent the most recently ended rows, newest first ({@code recent}; empty if the server
 *     sent none)
 */
public record DiagnosticsDocument(
    double timestamp,
    boolean activityTrackingEnabled,
    List<InstanceView> instances,
    GlobalActivityView globalActivity,
    List<EndedConnectionView> recent) {

  /**
   * Validates and copies.
   *
   * @param timestamp when the server took the snapshot, epoch seconds
   * @param activityTrackingEnabled {@code activity_tracking_enabled}
   * @param instances the backend instances
   * @param globalActivity the totals over all instances
   * @param recent the most recently ended rows, newest first
   */
  public DiagnosticsDocument {
    instances = List.copyOf(instances);
    Objects.requireNonNull(globalActivity, "globalActivity");
    recent = List.copyOf(recent);
  }

  /**
   * A document without recently ended rows, as a seed server sends.
   *
   * @param timestamp when the server took the snapshot, epoch seconds
   * @param activityTrackingEnabled {@code activity_tracking_enabled}
   * @param instances the backend instances
   * @param globalActivity the totals over all instances
   */
  public DiagnosticsDocument(
      double timestamp,
      boolean activityTrackingEnabled,
      List<InstanceView> instances,
      GlobalActivityView globalActivity) {
    this(timestamp, activityTrackingEnabled, instances, globalActivity, List.of());
  }
}
