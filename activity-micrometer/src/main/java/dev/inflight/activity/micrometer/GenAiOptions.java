package dev.inflight.activity.micrometer;

import java.time.Duration;
import java.util.function.Function;

/**
 * Whether and how the binder records the OpenTelemetry generative-AI conventions' timers (semantic
 * conventions v1.41.0). Immutable.
 */
final class GenAiOptions {
  static final String REQUEST_DURATION = "gen_ai.server.request.duration";
  static final String TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token";
  static final String OPERATION = "gen_ai.operation.name";
  static final String PROVIDER = "gen_ai.provider.name";
  static final String MODEL = "gen_ai.request.model";
  static final String ERROR_TYPE = "error.type";

  /** The conventions' advice for {@code gen_ai.server.request.duration}, in seconds. */
  static final Duration[] DURATION_BUCKETS =
      seconds(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);

  /** The conventions' advice for {@code gen_ai.server.time_to_first_token}, in seconds. */
  static final Duration[] FIRST_TOKEN_BUCKETS =
      seconds(
          0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
          10.0);

  final boolean enabled;
  final String operation;
  private final Function<String, String> provider;

  GenAiOptions(boolean enabled, String operation, Function<String, String> provider) {
    this.enabled = enabled;
    this.operation = operation;
    this.provider = provider;
  }

  /** The provider of a backend: the mapping's, or the default when it gives none. */
  String provider(String backend) {
    String p = provider.apply(backend);
    return p == null || p.isEmpty() ? defaultProvider(backend) : p;
  }

  /**
   * The default {@code gen_ai.provider.name} of a backend: its name's part before the first '.'
   * ({@code openai.1} is {@code openai}), or the whole name when it has none or starts with one.
   */
  static String defaultProvider(String backend) {
    int dot = backend.indexOf('.');
    return dot > 0 ? backend.substring(0, dot) : backend;
  }

  private static Duration[] seconds(double... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return out;
  }
}
