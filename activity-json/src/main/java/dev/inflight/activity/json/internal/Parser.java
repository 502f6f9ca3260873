package dev.inflight.activity.json.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.json.ActivityView;
import dev.inflight.activity.json.ConnectionView;
import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.DiagnosticsFormatException;
import dev.inflight.activity.json.EndedConnectionView;
import dev.inflight.activity.json.GlobalActivityView;
import dev.inflight.activity.json.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads the diagnostics documents into the typed views. The seed's fields are required with the
 * seed's JSON types; the extra fields are optional, so documents from seed-compatible servers parse
 * too.
 */
public final class Parser {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Parser() {}

  /**
   * Parses a {@code /v1/diagnostics} document.
   *
   * @param json the document
   * @return its typed view
   * @throws dev.inflight.activity.json.DiagnosticsFormatException naming the field that is wrong
   */
  public static DiagnosticsDocument diagnostics(String json) {
    JsonNode root = tree(json);
    double timestamp = number(root, "timestamp", "");
    boolean enabled = bool(root, "activity_tracking_enabled", "");
    JsonNode instances = array(root, "instances", "");
    List<InstanceView> list = new ArrayList<>(instances.size());
    for (int i = 0; i < instances.size(); i++) {
      list.add(instance(instances.get(i), "instances[" + i + "]."));
    }
    GlobalActivityView global = global(object(root, "global_activity", ""), "global_activity.");
    List<EndedConnectionView> recent = new ArrayList<>();
    if (root.has("recent")) {
      JsonNode items = array(root, "recent", "");
      for (int i = 0; i < items.size(); i++) {
        recent.add(ended(items.get(i), "recent[" + i + "]."));
      }
    }
    return new DiagnosticsDocument(timestamp, enabled, list, global, recent);
  }

  private static EndedConnectionView ended(JsonNode n, String path) {
    requireObject(n, path);
    JsonNode model = n.get("model");
    JsonNode firstByte = n.get("first_byte_seconds");
    return new EndedConnectionView(
        text(n, "backend", path),
        text(n, "session_id", path),
        text(n, "connection_type", path),
        number(n, "started_at", path),
        number(n, "duration_seconds", path),
        model == null || model.isNull() ? null : text(n, "model", path),
        integer(n, "bytes_rx", path),
        integer(n, "bytes_tx", path),
        (int) optionalInteger(n, "requests", path, 1),
        firstByte == null || firstByte.isNull() ? null : number(n, "first_byte_seconds", path),
        number(n, "ended_at", path),
        text(n, "reason", path),
        optionalInteger(n, "orphaned_rx_bytes", path, 0),
        optionalSeconds(n, "first_content_seconds", path),
        optionalInteger(n, "events_rx", path, 0),
        optionalInteger(n, "events_tx", path, 0),
        optionalSeconds(n, "max_event_gap_seconds", path));
  }

  /**
   * Parses a {@code /v1/diagnostics/activity} document.
   *
   * @param json the document
   * @return its typed view
   * @throws dev.inflight.activity.json.DiagnosticsFormatException naming the field that is wrong
   */
  public static GlobalActivityView activity(String json) {
    return global(tree(json), "");
  }

  private static JsonNode tree(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new DiagnosticsFormatException("not a JSON document: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new DiagnosticsFormatException("not a JSON object");
    }
    return root;
  }

  private static InstanceView instance(JsonNode n, String path) {
    requireObject(n, path);
    JsonNode activity = n.get("activity");
    if (activity == null) {
      throw missing(path + "activity");
    }
    return new InstanceView(
        text(n, "name", path),
        text(n, "connector_type", path),
        bool(n, "is_rate_limited", path),
        bool(n, "is_functional", path),
        strings(n, "validation_errors", path),
        strings(n, "models", path),
        activity.isNull() ? null : activity(activity, path + "activity."));
  }

  private static ActivityView activity(JsonNode n, String path) {
    requireObject(n, path);
    JsonNode connections = array(n, "connections", path);
    List<ConnectionView> list = new ArrayList<>(connections.size());
    for (int i = 0; i < connections.size(); i++) {
      list.add(connection(connections.get(i), path + "connections[" + i + "]."));
    }
    return new ActivityView(
        (int) integer(n, "active_connections", path),
        list,
        integer(n, "total_bytes_rx", path),
        integer(n, "total_bytes_tx", path),
        optionalInteger(n, "cumulative_bytes_rx", path, 0),
        optionalInteger(n, "cumulative_bytes_tx", path, 0),
        optionalInteger(n, "completed_connections", path, 0),
        (int) optionalInteger(n, "stalled_connections", path, 0),
        (int) optionalInteger(n, "orphaned_connections", path, 0));
  }

  private static ConnectionView connection(JsonNode n, String path) {
    requireObject(n, path);
    JsonNode model = n.get("model");
    JsonNode firstByte = n.get("first_byte_seconds");
    long rx = integer(n, "bytes_rx", path);
    long tx = integer(n, "bytes_tx", path);
    double idle = n.has("idle_seconds") ? number(n, "idle_seconds", path) : 0.0;
    return new ConnectionView(
        text(n, "session_id", path),
        text(n, "connection_type", path),
        number(n, "started_at", path),
        number(n, "duration_seconds", path),
        model == null || model.isNull() ? null : text(n, "model", path),
        rx,
        tx,
        (int) optionalInteger(n, "requests", path, 1),
        firstByte == null || firstByte.isNull() ? null : number(n, "first_byte_seconds", path),
        idle,
        n.has("backend_idle_seconds") ? number(n, "backend_idle_seconds", path) : idle,
        n.has("stalled") && bool(n, "stalled", path),
        n.has("orphaned") && bool(n, "orphaned", path),
        optionalInteger(n, "orphaned_rx_bytes", path, 0),
        n.has("backlog_bytes") ? signedInteger(n, "backlog_bytes", path) : rx - tx,
        optionalSeconds(n, "first_content_seconds", path),
        optionalInteger(n, "events_rx", path, 0),
        optionalInteger(n, "events_tx", path, 0),
        optionalSeconds(n, "max_event_gap_seconds", path));
  }

  private static GlobalActivityView global(JsonNode n, String path) {
    requireObject(n, path);
    return new GlobalActivityView(
        !n.has("enabled") || bool(n, "enabled", path),
        (int) integer(n, "total_active_connections", path),
        integer(n, "total_bytes_rx", path),
        integer(n, "total_bytes_tx", path),
        optionalInteger(n, "cumulative_bytes_rx", path, 0),
        optionalInteger(n, "cumulative_bytes_tx", path, 0),
        optionalInteger(n, "completed_connections", path, 0),
        (int) optionalInteger(n, "stalled_connections", path, 0),
        (int) optionalInteger(n, "orphaned_connections", path, 0));
  }

  private static JsonNode field(JsonNode n, String name, String path) {
    JsonNode v = n.get(name);
    if (v == null) {
      throw missing(path + name);
    }
    return v;
  }

  private static String text(JsonNode n, String name, String path) {
    JsonNode v = field(n, name, path);
    if (!v.isTextual()) {
      throw wrongType(path + name, "a string", v);
    }
    return v.textValue();
  }

  private static boolean bool(JsonNode n, String name, String path) {
    JsonNode v = field(n, name, path);
    if (!v.isBoolean()) {
      throw wrongType(path + name, "true or false", v);
    }
    return v.booleanValue();
  }

  private static double number(JsonNode n, String name, String path) {
    JsonNode v = field(n, name, path);
    if (!v.isNumber()) {
      throw wrongType(path + name, "a number", v);
    }
    return v.doubleValue();
  }

  private static long integer(JsonNode n, String name, String path) {
    JsonNode v = field(n, name, path);
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
      throw wrongType(path + name, "a non-negative whole number", v);
    }
    return v.longValue();
  }

  /** A whole number that may be negative ({@code backlog_bytes}). */
  private static long signedInteger(JsonNode n, String name, String path) {
    JsonNode v = field(n, name, path);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw wrongType(path + name, "a whole number", v);
    }
    return v.longValue();
  }

  /**
   * A number of seconds that may be null or absent ({@code first_content_seconds}, {@code
   * max_event_gap_seconds}): null then.
   */
  private static @Nullable Double optionalSeconds(JsonNode n, String name, String path) {
    JsonNode v = n.get(name);
    return v == null || v.isNull() ? null : number(n, name, path);
  }

  private static long optionalInteger(JsonNode n, String name, String path, long absent) {
    return n.has(name) ? integer(n, name, path) : absent;
  }

  private static JsonNode array(JsonNode n, String name, String path) {
    JsonNode v = field(n, name, path);
    if (!v.isArray()) {
      throw wrongType(path + name, "an array", v);
    }
    return v;
  }

  private static JsonNode object(JsonNode n, String name, String path) {
    JsonNode v = field(n, name, path);
    requireObject(v, path + name);
    return v;
  }

  /** Strings as they are; other values (the seed leaves {@code models} open) as their JSON. */
  private static List<String> strings(JsonNode n, String name, String path) {
    JsonNode v = array(n, name, path);
    List<String> list = new ArrayList<>(v.size());
    for (JsonNode item : v) {
      list.add(item.isTextual() ? item.textValue() : nameOf(item));
    }
    return list;
  }

  /** A model object such as {@code {"id": "gpt-4"}} shows as its id or name, else as JSON. */
  private static String nameOf(JsonNode item) {
    for (String key : new String[] {"id", "name", "model"}) {
      JsonNode v = item.get(key);
      if (v != null && v.isTextual()) {
        return v.textValue();
      }
    }
    return item.toString();
  }

  private static void requireObject(JsonNode n, String path) {
    if (!n.isObject()) {
      throw wrongType(
          path.endsWith(".") ? path.substring(0, path.length() - 1) : path, "an object", n);
    }
  }

  private static DiagnosticsFormatException missing(String field) {
    return new DiagnosticsFormatException("missing field '" + field + "'");
  }

  private static DiagnosticsFormatException wrongType(
      String field, String expected, @Nullable JsonNode actual) {
    String shown =
        actual == null ? "nothing" : actual.getNodeType().toString().toLowerCase(Locale.ROOT);
    return new DiagnosticsFormatException(
        "field '"
            + (field.isEmpty() ? "(root)" : field)
            + "' must be "
            + expected
            + ", got "
            + shown);
  }
}
