package dev.inflight.activity.json;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One backend instance of a parsed diagnostics document. Immutable.
 *
 * @param name {@code name}
 * @param connectorType {@code connector_type}
 * @param rateLimited {@code is_rate_limited}
 * @param functional {@code is_functional}
 * @param validationErrors {@code validation_errors}
 * @param models {@code models}, as strings
 * @param activity {@code activity}, null when tracking is disabled
 */
public record InstanceView(
    String name,
    String connectorType,
    boolean rateLimited,
    boolean functional,
    List<String> validationErrors,
    List<String> models,
    @Nullable ActivityView activity) {

  /**
   * Validates and copies.
   *
   * @param name {@code name}
   * @param connectorType {@code connector_type}
   * @param rateLimited {@code is_rate_limited}
   * @param functional {@code is_functional}
   * @param validationErrors {@code validation_errors}
   * @param models {@code models}, as strings
   * @param activity {@code activity}, null when tracking is disabled
   */
  public InstanceView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(connectorType, "connectorType");
    validationErrors = List.copyOf(validationErrors);
    models = List.copyOf(models);
  }
}
