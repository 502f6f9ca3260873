package dev.inflight.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.Enablement;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The demo's {@code config.yaml}, checked: the tracking key and tracker settings (for core's
 * precedence and {@link ActivitySettings}), the listen port, the diagnostics port, TLS, the
 * built-in fake backend and the backend instances.
 *
 * <p>Jackson binds the YAML to {@link ConfigFile}; {@link #parse} then checks what binding cannot
 * (ranges, URLs, duplicate names). Every mistake is one line naming the file, the key and the
 * value, e.g. {@code config file config/config.yaml: port='abc' is not a whole number}. A key the
 * demo does not know is a mistake too (most often a typo that would otherwise be ignored without a
 * word): the message lists the keys that are known there. A key given twice is not valid YAML.
 *
 * @param source where it was read from: the file's path, or {@value #BUILT_IN_SOURCE}
 * @param tracking the {@value Enablement#CONFIG_KEY} value as read (a Boolean, a String, or a list
 *     or mapping that {@link Enablement} rejects by name), or null if absent
 * @param activityValues the tracker settings given ({@code activity_*} keys), as text
 * @param port the listen port from the file, or null
 * @param diagnosticsPort the port of the diagnostics listener on 127.0.0.1 from the file, or null
 *     (then the diagnostics are served on the listen port)
 * @param tls the {@code tls}, {@code tls_keystore} and {@code tls_keystore_password} keys as read
 * @param fakeBackendPort the fake backend's port (0 = any free one)
 * @param tokenDelayMillis the fake backend's pause between streamed tokens
 * @param backends the backend instances, in file order
 */
record DemoConfig(
    String source,
    @Nullable Object tracking,
    Map<String, String> activityValues,
    @Nullable Integer port,
    @Nullable Integer diagnosticsPort,
    Tls tls,
    int fakeBackendPort,
    int tokenDelayMillis,
    List<Backend> backends) {

  /** The url of backends served by the built-in fake backend. */
  static final String BUILTIN = "builtin";

  static final String DEFAULT_RESOURCE = "/dev/inflight/examples/config.yaml";

  static final String BUILT_IN_SOURCE = "built-in default config";

  static final int DEFAULT_TOKEN_DELAY_MILLIS = 40;
  static final int MAX_TOKEN_DELAY_MILLIS = 1000;

  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // YAML keys are unique
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // the default, relied on
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // "port: 80.5" is a mistake
          .withCoercionConfigDefaults( // "port: ''" too, rather than no port at all
              c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
          .build();

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

  /**
   * The TLS keys as written; {@link DemoSetup} weighs them against the flags.
   *
   * @param enabled {@code tls}, or null if absent
   * @param keyStore {@code tls_keystore} as written (relative to the config file's folder), or null
   * @param keyStorePassword {@code tls_keystore_password}, or null
   */
  record Tls(
      @Nullable Boolean enabled, @Nullable String keyStore, @Nullable String keyStorePassword) {

    static final Tls NONE = new Tls(null, null, null);

    /** Never shows the password. */
    @Override
    public String toString() {
      return "Tls[enabled="
          + enabled
          + ", keyStore="
          + keyStore
          + ", keyStorePassword="
          + (keyStorePassword == null ? "null" : "(given)")
          + "]";
    }
  }

  DemoConfig {
    Objects.requireNonNull(tls, "tls");
    activityValues = Map.copyOf(activityValues);
    backends = List.copyOf(backends);
  }

  /**
   * {@code config.yaml} as written, bound by Jackson: every key the demo knows, nothing checked
   * beyond the types.
   *
   * @param tracking {@value Enablement#CONFIG_KEY}
   * @param staleTimeoutSeconds {@value ActivitySettings#KEY_STALE_TIMEOUT}
   * @param sweepIntervalSeconds {@value ActivitySettings#KEY_SWEEP_INTERVAL}
   * @param stallAfterSeconds {@value ActivitySettings#KEY_STALL_AFTER}
   * @param countEvents {@value ActivitySettings#KEY_COUNT_EVENTS}
   * @param maxConnections {@value ActivitySettings#KEY_MAX_CONNECTIONS}
   * @param port {@code port}
   * @param diagnosticsPort {@code diagnostics_port}
   * @param tls {@code tls}
   * @param tlsKeyStore {@code tls_keystore}
   * @param tlsKeyStorePassword {@code tls_keystore_password}
   * @param fakeBackend {@code fake_backend}
   * @param backends {@code backends}
   */
  record ConfigFile(
      @JsonProperty(Enablement.CONFIG_KEY) @Nullable Object tracking,
      @JsonProperty(ActivitySettings.KEY_STALE_TIMEOUT) @Nullable String staleTimeoutSeconds,
      @JsonProperty(ActivitySettings.KEY_SWEEP_INTERVAL) @Nullable String sweepIntervalSeconds,
      @JsonProperty(ActivitySettings.KEY_STALL_AFTER) @Nullable String stallAfterSeconds,
      @JsonProperty(ActivitySettings.KEY_COUNT_EVENTS) @Nullable Object countEvents,
      @JsonProperty(ActivitySettings.KEY_MAX_CONNECTIONS) @Nullable String maxConnections,
      @JsonProperty("port") @Nullable Integer port,
      @JsonProperty("diagnostics_port") @Nullable Integer diagnosticsPort,
      @JsonProperty("tls") @Nullable Boolean tls,
      @JsonProperty("tls_keystore") @Nullable String tlsKeyStore,
      @JsonProperty("tls_keystore_password") @Nullable String tlsKeyStorePassword,
      @JsonProperty("fake_backend") @Nullable FakeBackendSection fakeBackend,
      @JsonProperty("backends") @Nullable List<@Nullable BackendEntry> backends) {}

  /**
   * The {@code fake_backend} mapping as written.
   *
   * @param port {@code port}
   * @param tokenDelayMillis {@code token_delay_ms}
   */
  record FakeBackendSection(
      @JsonProperty("port") @Nullable Integer port,
      @JsonProperty("token_delay_ms") @Nullable Integer tokenDelayMillis) {}

  /**
   * One entry of the {@code backends} list as written.
   *
   * @param name {@code name}
   * @param connectorType {@code connector_type}
   * @param url {@code url}
   * @param apiKeyEnv {@code api_key_env}
   * @param models {@code models}
   */
  record BackendEntry(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("connector_type") @Nullable String connectorType,
      @JsonProperty("url") @Nullable String url,
      @JsonProperty("api_key_env") @Nullable String apiKeyEnv,
      @JsonProperty("models") @Nullable List<@Nullable String> models) {}

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
      return parse(in.readAllBytes(), BUILT_IN_SOURCE);
    } catch (IOException | DemoException e) {
      throw new IllegalStateException("broken built-in config: " + e.getMessage(), e);
    }
  }

  /**
   * Reads and checks a config.
   *
   * @param yaml the file's content
   * @param source the file's path, or {@value #BUILT_IN_SOURCE}
   * @return the config
   * @throws DemoException naming the source, the key and the value of the first mistake
   */
  static DemoConfig parse(byte[] yaml, String source) throws DemoException {
    String label = label(source);
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      String line =
          e.getLocation() == null || e.getLocation().getLineNr() < 1
              ? ""
              : " (line " + e.getLocation().getLineNr() + ")";
      throw new DemoException(label + ": not valid YAML: " + e.getOriginalMessage() + line);
    } catch (IOException e) {
      throw new DemoException(label + ": " + e.getMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = YAML.createObjectNode(); // an empty file, or comments only
    }
    if (!root.isObject()) {
      throw new DemoException(label + ": expected a mapping of keys to values at the top level");
    }
    ConfigFile file;
    try {
      file = YAML.treeToValue(root, ConfigFile.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new DemoException(label + ": " + bindingError(e, root));
    }
    return check(file, source, label);
  }

  private static DemoConfig check(ConfigFile file, String source, String label)
      throws DemoException {
    try {
      Map<String, String> activity = new LinkedHashMap<>();
      putIfPresent(activity, ActivitySettings.KEY_STALE_TIMEOUT, file.staleTimeoutSeconds());
      putIfPresent(activity, ActivitySettings.KEY_SWEEP_INTERVAL, file.sweepIntervalSeconds());
      putIfPresent(activity, ActivitySettings.KEY_STALL_AFTER, file.stallAfterSeconds());
      Object countEvents = file.countEvents();
      if (countEvents != null) {
        activity.put(ActivitySettings.KEY_COUNT_EVENTS, String.valueOf(countEvents));
      }
      putIfPresent(activity, ActivitySettings.KEY_MAX_CONNECTIONS, file.maxConnections());
      Integer port = file.port();
      if (port != null) {
        ConfigValues.inRange("port", port, 0, DemoOptions.MAX_PORT);
      }
      Integer diagnosticsPort = file.diagnosticsPort();
      if (diagnosticsPort != null) {
        ConfigValues.inRange("diagnostics_port", diagnosticsPort, 0, DemoOptions.MAX_PORT);
      }
      String keyStore = file.tlsKeyStore();
      if (keyStore != null && keyStore.isBlank()) {
        throw new IllegalArgumentException("tls_keystore='" + keyStore + "' is not a path");
      }
      int fakePort = 0;
      int delay = DEFAULT_TOKEN_DELAY_MILLIS;
      FakeBackendSection fake = file.fakeBackend();
      if (fake != null) {
        if (fake.port() != null) {
          fakePort =
              ConfigValues.inRange("fake_backend.port", fake.port(), 0, DemoOptions.MAX_PORT);
        }
        if (fake.tokenDelayMillis() != null) {
          delay =
              ConfigValues.inRange(
                  "fake_backend.token_delay_ms",
                  fake.tokenDelayMillis(),
                  0,
                  MAX_TOKEN_DELAY_MILLIS);
        }
      }
      return new DemoConfig(
          source,
          tracking(file.tracking()),
          activity,
          port,
          diagnosticsPort,
          new Tls(file.tls(), keyStore, file.tlsKeyStorePassword()),
          fakePort,
          delay,
          backends(file.backends()));
    } catch (IllegalArgumentException e) {
      throw new DemoException(label + ": " + e.getMessage());
    }
  }

  private static void putIfPresent(Map<String, String> values, String key, @Nullable String v) {
    if (v != null) {
      values.put(key, v);
    }
  }

  /** "enable_activity_tracking: 1" means what ENABLE_ACTIVITY_TRACKING=1 means. */
  private static @Nullable Object tracking(@Nullable Object value) {
    return value instanceof Number ? value.toString() : value;
  }

  private static List<Backend> backends(@Nullable List<@Nullable BackendEntry> entries) {
    if (entries == null) {
      throw new IllegalArgumentException("no backends configured (add a 'backends:' list)");
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no backends configured (the 'backends:' list is empty)");
    }
    List<Backend> out = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String where = "backends[" + i + "]";
      BackendEntry b = entries.get(i);
      if (b == null) {
        throw new IllegalArgumentException(where + " must be " + describe(BackendEntry.class));
      }
      String name = text(b.name(), where + ".name");
      if (!names.add(name)) {
        throw new IllegalArgumentException(where + ": duplicate backend name '" + name + "'");
      }
      String type = text(b.connectorType(), where + ".connector_type");
      String url = text(b.url(), where + ".url");
      if (!BUILTIN.equals(url)) {
        checkUrl(url, where + ".url");
      }
      String keyEnv = b.apiKeyEnv() == null ? null : text(b.apiKeyEnv(), where + ".api_key_env");
      List<@Nullable String> models = b.models();
      if (models == null || models.isEmpty()) {
        throw new IllegalArgumentException(
            where + ".models must be a non-empty list of model names");
      }
      List<String> modelNames = new ArrayList<>();
      for (int m = 0; m < models.size(); m++) {
        modelNames.add(text(models.get(m), where + ".models[" + m + "]"));
      }
      out.add(new Backend(name, type, url, keyEnv, modelNames));
    }
    return out;
  }

  private static void checkUrl(String url, String where) {
    try {
      URI u = new URI(url);
      if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
        throw new URISyntaxException(url, "not http(s)");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          where
              + " must be 'builtin' or an http(s) URL such as http://127.0.0.1:8080/v1, got '"
              + url
              + "'",
          e);
    }
  }

  private static String text(@Nullable String v, String where) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(where + " must be a non-empty text value");
    }
    return v.trim();
  }

  /**
   * What went wrong while binding, in the file's terms: the key's path ({@code
   * backends[0].models}), the value as written and what was expected there.
   */
  private static String bindingError(Exception e, JsonNode root) {
    if (e instanceof UnrecognizedPropertyException u) {
      String path = path(pointer(u.getPath()), root);
      int dot = path.lastIndexOf('.');
      return "unknown key '"
          + path
          + "' (known keys"
          + (dot < 0 ? "" : " in " + path.substring(0, dot))
          + ": "
          + known(u.getKnownPropertyIds())
          + ")";
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      JsonPointer at = pointer(m.getPath());
      JsonNode value = root.at(at);
      String expected = describe(m.getTargetType());
      if (value.isValueNode()) {
        return path(at, root) + "='" + value.asText() + "' is not " + expected;
      }
      return path(at, root)
          + " must be "
          + expected
          + ", got "
          + (value.isArray() ? "a list" : "a mapping");
    }
    if (e instanceof JsonProcessingException p && p.getProcessor() instanceof JsonParser parser) {
      // a number too large for its type: the parser knows where it stopped
      JsonPointer at = parser.getParsingContext().pathAsPointer();
      JsonNode value = root.at(at);
      if (value.isNumber()) {
        return path(at, root) + "=" + value.asText() + " is out of range";
      }
      return path(at, root) + ": " + p.getOriginalMessage();
    }
    return e instanceof JsonProcessingException p
        ? p.getOriginalMessage()
        : String.valueOf(e.getMessage());
  }

  private static JsonPointer pointer(List<JsonMappingException.Reference> refs) {
    JsonPointer p = JsonPointer.empty();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        p = p.appendProperty(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        p = p.appendIndex(r.getIndex());
      }
    }
    return p;
  }

  /** A place in the file as its reader names it, e.g. {@code backends[0].models}. */
  private static String path(JsonPointer at, JsonNode root) {
    StringBuilder sb = new StringBuilder();
    JsonNode node = root;
    for (JsonPointer p = at; !p.matches(); p = p.tail()) {
      if (node.isArray()) {
        sb.append('[').append(p.getMatchingIndex()).append(']');
        node = node.path(p.getMatchingIndex());
      } else {
        sb.append(sb.length() == 0 ? "" : ".").append(p.getMatchingProperty());
        node = node.path(p.getMatchingProperty());
      }
    }
    return sb.toString();
  }

  private static String known(@Nullable Collection<Object> ids) {
    return ids == null
        ? "none"
        : ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
  }

  /** What a value bound to {@code type} must look like, in the file's terms. */
  private static String describe(Class<?> type) {
    if (type == Integer.class || type == int.class) {
      return "a whole number";
    }
    if (type == String.class) {
      return "a single value";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type == BackendEntry.class) {
      return "a mapping with name, connector_type, url, models (and optionally api_key_env)";
    }
    if (type == FakeBackendSection.class) {
      return "a mapping with port and token_delay_ms";
    }
    return "a mapping of keys to values";
  }

  /** How messages name the source: {@code config file PATH}, or the built-in config. */
  private static String label(String source) {
    return BUILT_IN_SOURCE.equals(source) ? source : "config file " + source;
  }

  /**
   * How messages name this config: {@code config file PATH}, or {@value #BUILT_IN_SOURCE}.
   *
   * @return the label
   */
  String label() {
    return label(source);
  }

  /**
   * The values {@link Enablement#resolve} reads from the config.
   *
   * @return {@value Enablement#CONFIG_KEY} and its value, if the file has it
   */
  Map<String, Object> enablementValues() {
    Object t = tracking;
    return t == null ? Map.of() : Map.of(Enablement.CONFIG_KEY, t);
  }

  /**
   * Where {@code tls_keystore} points: as written when absolute, else relative to the config file's
   * folder.
   *
   * @return the path, or null if the key is absent
   */
  @Nullable Path tlsKeyStorePath() {
    String keyStore = tls.keyStore();
    if (keyStore == null) {
      return null;
    }
    Path path = Path.of(keyStore);
    Path folder = BUILT_IN_SOURCE.equals(source) ? null : Path.of(source).getParent();
    return folder == null || path.isAbsolute() ? path : folder.resolve(path);
  }

  /**
   * The same config with another fake backend port.
   *
   * @param newPort the port (0 = any free one)
   * @return the changed copy
   */
  DemoConfig withFakeBackendPort(int newPort) {
    return new DemoConfig(
        source,
        tracking,
        activityValues,
        port,
        diagnosticsPort,
        tls,
        newPort,
        tokenDelayMillis,
        backends);
  }

  /**
   * The same config with another token delay.
   *
   * @param millis the pause between streamed tokens
   * @return the changed copy
   */
  DemoConfig withTokenDelay(int millis) {
    return new DemoConfig(
        source,
        tracking,
        activityValues,
        port,
        diagnosticsPort,
        tls,
        fakeBackendPort,
        millis,
        backends);
  }
}
