package dev.inflight.activity.cli.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The raw view of a fleet: one JSON object keyed by the URLs as given, each value the proxy's
 * document exactly as it sent it, or {@code {"error": "..."}} for a proxy that could not be read.
 *
 * <pre>
 * {
 *   "http://127.0.0.1:8001": {"timestamp": 1701792005.0, ...},
 *   "http://127.0.0.1:8002": {"error": "cannot connect to ...: connection refused (...)"}
 * }
 * </pre>
 */
final class RawFleet {

  private static final JsonFactory JSON = new JsonFactory();

  private RawFleet() {}

  /**
   * Makes sure every document can be embedded as it is: one JSON object and nothing after it (the
   * parser that read it stops at the end of the first value). A body that is not becomes an error.
   *
   * @param readings the fleet's readings
   * @return the same readings, with any body that cannot be embedded turned into a failure
   */
  static List<Fleet.Reading> checked(List<Fleet.Reading> readings) {
    List<Fleet.Reading> out = new ArrayList<>(readings.size());
    for (Fleet.Reading r : readings) {
      String body = r.body();
      if (body == null || isOneObject(body)) {
        out.add(r);
      } else {
        String reason = "not a diagnostics JSON document (more content after the JSON object)";
        out.add(
            Fleet.Reading.failed(
                r.proxy(),
                new FetchException(
                    reason,
                    r.proxy().client().endpoint()
                        + " did not return a diagnostics JSON document (more content after the"
                        + " JSON object)")));
      }
    }
    return out;
  }

  /**
   * Renders the object, one proxy a line.
   *
   * @param readings the fleet's readings, checked by {@link #checked(List)}
   * @return the lines of the JSON object
   */
  static List<String> render(List<Fleet.Reading> readings) {
    List<String> lines = new ArrayList<>(readings.size() + 2);
    lines.add("{");
    for (int i = 0; i < readings.size(); i++) {
      Fleet.Reading r = readings.get(i);
      String body = r.body();
      FetchException error = r.error();
      String value;
      if (body != null) {
        value = body.strip();
      } else {
        value = "{\"error\": " + quote(error == null ? "no answer" : error.getMessage()) + "}";
      }
      String comma = i + 1 < readings.size() ? "," : "";
      String entry = "  " + quote(r.proxy().url()) + ": " + value + comma;
      lines.addAll(entry.lines().toList());
    }
    lines.add("}");
    return lines;
  }

  private static String quote(@Nullable String text) {
    return "\""
        + new String(JsonStringEncoder.getInstance().quoteAsString(String.valueOf(text)))
        + "\"";
  }

  private static boolean isOneObject(String body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      p.skipChildren();
      return p.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }
}
