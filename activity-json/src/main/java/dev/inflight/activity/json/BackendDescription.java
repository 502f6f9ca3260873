package dev.inflight.activity.json;

import java.util.List;
import java.util.Objects;

/**
 * What the host proxy knows about one backend instance, shown beside the tracker's activity in
 * {@code /v1/diagnostics}. Immutable.
 *
 * @param name the instance name, matching the backend name given to the tracker
 * @param connectorType the kind of backend, e.g. {@code openai}, {@code anthropic}
 * @param rateLimited whether the backend is currently rate limited ({@code is_rate_limited})
 * @param functional whether the backend is usable ({@code is_functional})
 * @param validationErrors configuration problems, empty if none
 * @param models the models this backend serves
 */
public record BackendDescription(
    String name,
    String connectorType,
    boolean rateLimited,
    boolean functional,
    List<String> validationErrors,
    List<String> models) {

  /**
   * Validates and copies the lists.
   *
   * @param name the instance name, matching the backend name given to the tracker
   * @param connectorType the kind of backend, e.g. {@code openai}, {@code anthropic}
   * @param rateLimited whether the backend is currently rate limited ({@code is_rate_limited})
   * @param functional whether the backend is usable ({@code is_functional})
   * @param validationErrors configuration problems, empty if none
   * @param models the models this backend serves
   */
  public BackendDescription {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(connectorType, "connectorType");
    validationErrors = List.copyOf(validationErrors);
    models = List.copyOf(models);
  }

  /**
   * A functional, not rate-limited backend without validation errors.
   *
   * @param name the instance name
   * @param connectorType the kind of backend
   * @param models the models it serves
   * @return the description
   */
  public static BackendDescription of(String name, String connectorType, List<String> models) {
    return new BackendDescription(name, connectorType, false, true, List.of(), models);
  }
}
