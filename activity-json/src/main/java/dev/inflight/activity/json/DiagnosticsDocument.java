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
 */
public record DiagnosticsDocument(
    double timestamp,
    boolean activityTrackingEnabled,
    List<InstanceView> instances,
    GlobalActivityView globalActivity) {

  /**
   * Validates and copies.
   *
   * @param timestamp when the server took the snapshot, epoch seconds
   * @param activityTrackingEnabled {@code activity_tracking_enabled}
   * @param instances the backend instances
   * @param globalActivity the totals over all instances
   */
  public DiagnosticsDocument {
    instances = List.copyOf(instances);
    Objects.requireNonNull(globalActivity, "globalActivity");
  }
}
