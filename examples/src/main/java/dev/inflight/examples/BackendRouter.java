package dev.inflight.examples;

import dev.inflight.activity.json.BackendDescription;
import dev.inflight.activity.json.BackendDirectory;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Routes a model name to the backend instance that serves it (the first one in the config listing
 * it), and describes the backends for the diagnostics document.
 */
final class BackendRouter {

  /**
   * A backend ready to receive requests.
   *
   * @param name instance name
   * @param connectorType e.g. openai
   * @param completions the URL requests are POSTed to
   * @param bearerToken the API key to send, or null
   * @param models the models it serves
   */
  record Route(
      String name,
      String connectorType,
      URI completions,
      @Nullable String bearerToken,
      List<String> models) {}

  private final Map<String, Route> byModel = new LinkedHashMap<>();
  private final List<Route> routes = new ArrayList<>();

  /**
   * @param config the configured backends
   * @param builtinBaseUrl the fake backend's base URL, for backends whose url is "builtin"
   * @param env environment variables, for {@code api_key_env}
   */
  BackendRouter(DemoConfig config, @Nullable String builtinBaseUrl, Map<String, String> env) {
    for (DemoConfig.Backend b : config.backends()) {
      String base = b.builtin() ? builtinBaseUrl : b.url();
      if (base == null) {
        throw new IllegalStateException("backend " + b.name() + " needs the built-in fake backend");
      }
      while (base.endsWith("/")) {
        base = base.substring(0, base.length() - 1);
      }
      String token = b.apiKeyEnv() == null ? null : env.get(b.apiKeyEnv());
      Route route =
          new Route(
              b.name(),
              b.connectorType(),
              URI.create(base + "/chat/completions"),
              token,
              b.models());
      routes.add(route);
      for (String model : b.models()) {
        byModel.putIfAbsent(model, route);
      }
    }
  }

  Optional<Route> route(String model) {
    return Optional.ofNullable(byModel.get(model));
  }

  List<Route> routes() {
    return List.copyOf(routes);
  }

  /** All models, in config order, each once. */
  List<String> models() {
    return List.copyOf(byModel.keySet());
  }

  /** How the backends appear in {@code /v1/diagnostics}: name, connector type, models. */
  BackendDirectory directory() {
    List<BackendDescription> list = new ArrayList<>();
    for (Route r : routes) {
      list.add(BackendDescription.of(r.name(), r.connectorType(), r.models()));
    }
    return BackendDirectory.of(list);
  }
}
