package dev.inflight.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.inflight.activity.Enablement;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The demo's {@code config.yaml}: top-level values (for the activity settings and their
 * precedence), the listen port, the built-in fake backend and the backend instances.
 *
 * @param source where it was read from, for messages
 * @param values the top-level scalar values, as read (Boolean, String, Number)
 * @param port the listen port from the file, or null
 * @param fakeBackendPort the fake backend's port (0 = any free one)
 * @param tokenDelayMillis the fake backend's pause between streamed tokens
 * @param backends the backend instances, in file order
 */
record DemoConfig(
    String source,
    Map<String, Object> values,
    @Nullable Integer port,
    int fakeBackendPort,
    int tokenDelayMillis,
    List<Backend> backends) {

  /** The url of backends served by the built-in fake backend. */
  static final String BUILTIN = "builtin";

  static final String DEFAULT_RESOURCE = "/dev/inflight/examples/config.yaml";

  /**
   * One backend instance.
   *
   * @param name instance name, e.g. {@code openai.1}
   * @param connectorType e.g. {@code openai}
   * @param url the OpenAI-compatible base URL ({@code .../v1}), or {@value DemoConfig#BUILTIN}
   * @param apiKeyEnv environment variable holding a bearer token, or null
   * @param models the models it serves
   */
  record Backend(
      String name,
      String connectorType,
      String url,
      @Nullable String apiKeyEnv,
      List<String> models) {
    Backend {
      models = List.copyOf(models);
    }

    boolean builtin() {
      return BUILTIN.equals(url);
    }
  }

  DemoConfig {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    backends = List.copyOf(backends);
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * Reads a config file.
   *
   * @param file the YAML file
   * @return the config
   * @throws DemoException if it is missing, unreadable or invalid (the message names the file)
   */
  static DemoConfig load(Path file) throws DemoException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DemoException("config file " + file + " not found");
    } catch (IOException e) {
      throw new DemoException("cannot read config file " + file + ": " + e.getMessage());
    }
    return parse(bytes, file.toString());
  }

  /**
   * Reads the built-in default config (a copy of {@code examples/config/config.yaml}).
   *
   * @return the config
   */
  static DemoConfig builtIn() {
    try (InputStream in = DemoConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
      }
      return parse(in.readAllBytes(), "built-in default config");
    } catch (IOException | DemoException e) {
      throw new IllegalStateException("broken built-in config: " + e.getMessage(), e);
    }
  }

  static DemoConfig parse(byte[] yaml, String source) throws DemoException {
    Object root;
    try {
      root = yaml.length == 0 ? null : YAML.readValue(yaml, Object.class);
    } catch (JsonProcessingException e) {
      throw new DemoException(source + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new DemoException(source + ": " + e.getMessage());
    }
    if (root == null) {
      root = Map.of();
    }
    if (!(root instanceof Map)) {
      throw new DemoException(source + ": expected a mapping of keys to values at the top level");
    }
    Map<String, Object> top = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
      top.put(String.valueOf(e.getKey()), e.getValue());
    }
    Integer port = intValue(top.get("port"), source, "port", 0, 65535);
    int fakePort = 0;
    int delay = 40;
    Object fake = top.get("fake_backend");
    if (fake != null) {
      if (!(fake instanceof Map)) {
        throw new DemoException(source + ": fake_backend must be a mapping");
      }
      Map<?, ?> f = (Map<?, ?>) fake;
      Integer p = intValue(f.get("port"), source, "fake_backend.port", 0, 65535);
      Integer d = intValue(f.get("token_delay_ms"), source, "fake_backend.token_delay_ms", 0, 1000);
      fakePort = p == null ? 0 : p;
      delay = d == null ? delay : d;
    }
    List<Backend> backends = backends(top.get("backends"), source);
    Map<String, Object> scalars = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : top.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Boolean || v instanceof String) {
        scalars.put(e.getKey(), v);
      } else if (v instanceof Number) {
        // "enable_activity_tracking: 1" means what ENABLE_ACTIVITY_TRACKING=1 means
        scalars.put(e.getKey(), v.toString());
      } else if (v != null && e.getKey().equals(Enablement.CONFIG_KEY)) {
        scalars.put(e.getKey(), v); // a list or mapping: Enablement names it as invalid
      }
    }
    return new DemoConfig(source, scalars, port, fakePort, delay, backends);
  }

  private static List<Backend> backends(@Nullable Object node, String source) throws DemoException {
    if (node == null) {
      throw new DemoException(source + ": no backends configured (add a 'backends:' list)");
    }
    if (!(node instanceof List)) {
      throw new DemoException(source + ": backends must be a list");
    }
    List<Backend> out = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    int i = 0;
    for (Object item : (List<?>) node) {
      String where = source + ": backends[" + i++ + "]";
      if (!(item instanceof Map)) {
        throw new DemoException(
            where + " must be a mapping with name, connector_type, url, models");
      }
      Map<?, ?> b = (Map<?, ?>) item;
      String name = text(b.get("name"), where + ".name");
      if (!names.add(name)) {
        throw new DemoException(where + ": duplicate backend name '" + name + "'");
      }
      String type = text(b.get("connector_type"), where + ".connector_type");
      String url = text(b.get("url"), where + ".url");
      if (!BUILTIN.equals(url)) {
        checkUrl(url, where + ".url");
      }
      Object keyEnv = b.get("api_key_env");
      Object models = b.get("models");
      if (!(models instanceof List) || ((List<?>) models).isEmpty()) {
        throw new DemoException(where + ".models must be a non-empty list of model names");
      }
      List<String> modelNames = new ArrayList<>();
      for (Object m : (List<?>) models) {
        modelNames.add(text(m, where + ".models"));
      }
      out.add(
          new Backend(
              name,
              type,
              url,
              keyEnv == null ? null : text(keyEnv, where + ".api_key_env"),
              modelNames));
    }
    if (out.isEmpty()) {
      throw new DemoException(source + ": no backends configured (the 'backends:' list is empty)");
    }
    return out;
  }

  private static void checkUrl(String url, String where) throws DemoException {
    try {
      URI u = new URI(url);
      if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
        throw new URISyntaxException(url, "not http(s)");
      }
    } catch (URISyntaxException e) {
      throw new DemoException(
          where
              + " must be 'builtin' or an http(s) URL such as http://127.0.0.1:8080/v1, got '"
              + url
              + "'");
    }
  }

  private static String text(@Nullable Object v, String where) throws DemoException {
    if (v == null || v instanceof Map || v instanceof List || v.toString().isBlank()) {
      throw new DemoException(where + " must be a non-empty text value");
    }
    return v.toString().trim();
  }

  private static @Nullable Integer intValue(
      @Nullable Object v, String source, String key, int min, int max) throws DemoException {
    if (v == null) {
      return null;
    }
    int n;
    try {
      n = v instanceof Number ? ((Number) v).intValue() : Integer.parseInt(v.toString().trim());
      if (v instanceof Number && ((Number) v).doubleValue() != n) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new DemoException(source + ": " + key + " must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new DemoException(
          source + ": " + key + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  /**
   * The activity settings found in the file other than the enable flag (which is resolved with its
   * precedence), as strings for {@code ActivitySettings.fromValues}.
   */
  Map<String, String> activityValues() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (e.getKey().startsWith("activity_")) {
        out.put(e.getKey(), Objects.toString(e.getValue()));
      }
    }
    return out;
  }
}
