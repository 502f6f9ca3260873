package dev.inflight.activity.json.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.GlobalSnapshot;
import dev.inflight.activity.json.BackendDescription;
import dev.inflight.activity.json.BackendDirectory;
import dev.inflight.activity.json.SessionIdDisplay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Writes snapshots as the seed's JSON documents, with Jackson's streaming generator. */
public final class Renderer {
  /** Shown as connector type for backends the host did not describe. */
  public static final String UNKNOWN_CONNECTOR = "unknown";

  private static final JsonFactory FACTORY = new JsonFactory();

  // The text between a row's values, in the order written (see writeConnections).
  private static final byte[] FIRST_ROW = ConnectionsWriter.ascii("{\"session_id\":");
  private static final byte[] NEXT_ROW = ConnectionsWriter.ascii(",{\"session_id\":");
  private static final byte[] STREAMING =
      ConnectionsWriter.ascii(
          ",\"connection_type\":\"" + ConnectionType.STREAMING.wireName() + "\"");
  private static final byte[] NON_STREAMING =
      ConnectionsWriter.ascii(
          ",\"connection_type\":\"" + ConnectionType.NON_STREAMING.wireName() + "\"");
  private static final byte[] STARTED_AT = ConnectionsWriter.ascii(",\"started_at\":");
  private static final byte[] DURATION = ConnectionsWriter.ascii(",\"duration_seconds\":");
  private static final byte[] MODEL = ConnectionsWriter.ascii(",\"model\":");
  private static final byte[] NULL = ConnectionsWriter.ascii("null");
  private static final byte[] BYTES_RX = ConnectionsWriter.ascii(",\"bytes_rx\":");
  private static final byte[] BYTES_TX = ConnectionsWriter.ascii(",\"bytes_tx\":");
  private static final byte[] REQUESTS = ConnectionsWriter.ascii(",\"requests\":");
  private static final byte[] FIRST_BYTE = ConnectionsWriter.ascii(",\"first_byte_seconds\":");
  private static final byte[] FIRST_CONTENT =
      ConnectionsWriter.ascii(",\"first_content_seconds\":");
  private static final byte[] IDLE = ConnectionsWriter.ascii(",\"idle_seconds\":");
  private static final byte[] BACKEND_IDLE = ConnectionsWriter.ascii(",\"backend_idle_seconds\":");
  private static final byte[] STALLED = ConnectionsWriter.ascii(",\"stalled\":true");
  private static final byte[] NOT_STALLED = ConnectionsWriter.ascii(",\"stalled\":false");
  private static final byte[] ORPHANED = ConnectionsWriter.ascii(",\"orphaned\":true");
  private static final byte[] NOT_ORPHANED = ConnectionsWriter.ascii(",\"orphaned\":false");
  private static final byte[] ORPHANED_RX = ConnectionsWriter.ascii(",\"orphaned_rx_bytes\":");
  private static final byte[] BACKLOG = ConnectionsWriter.ascii(",\"backlog_bytes\":");
  private static final byte[] EVENTS_RX = ConnectionsWriter.ascii(",\"events_rx\":");
  private static final byte[] EVENTS_TX = ConnectionsWriter.ascii(",\"events_tx\":");
  private static final byte[] MAX_EVENT_GAP =
      ConnectionsWriter.ascii(",\"max_event_gap_seconds\":");
  private static final byte[] END_ROW = ConnectionsWriter.ascii("}");

  private final BackendDirectory directory;
  private final SessionIdDisplay display;

  /**
   * Creates a renderer.
   *
   * @param directory the host's backend descriptions
   * @param display how session ids are shown
   */
  public Renderer(BackendDirectory directory, SessionIdDisplay display) {
    this.directory = directory;
    this.display = display;
  }

  /**
   * The {@code /v1/diagnostics} document.
   *
   * @param snapshot what to render
   * @return the document, UTF-8
   */
  public byte[] diagnostics(GlobalSnapshot snapshot) {
    // about 490 bytes a row: sized up front, the document is not copied over and over as it grows
    return write(
        (g, out) -> writeDiagnostics(g, out, snapshot),
        (int) Math.min(64L << 20, 4096L + 520L * snapshot.totalActiveConnections()));
  }

  /**
   * The {@code /v1/diagnostics/activity} document.
   *
   * @param snapshot what to render
   * @return the document, UTF-8
   */
  public byte[] activity(GlobalSnapshot snapshot) {
    return write((g, out) -> writeGlobal(g, snapshot, true, null), 1024);
  }

  /**
   * A small {@code {"error": code, "detail": detail}} body.
   *
   * @param code the error code
   * @param detail a short explanation
   * @return the body, UTF-8
   */
  public static byte[] error(String code, String detail) {
    return write(
        (g, out) -> {
          g.writeStartObject();
          g.writeStringField("error", code);
          g.writeStringField("detail", detail);
          g.writeEndObject();
        },
        256);
  }

  /** Writes a document through the generator, or (rows) straight to the stream under it. */
  private interface Body {
    void write(JsonGenerator g, OutputStream out) throws IOException;
  }

  private static byte[] write(Body body, int sizeHint) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, sizeHint));
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
      body.write(g, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen with an in-memory stream
    }
    return out.toByteArray();
  }

  private void writeDiagnostics(JsonGenerator g, OutputStream out, GlobalSnapshot s)
      throws IOException {
    g.writeStartObject();
    g.writeFieldName("timestamp");
    g.writeNumber(epochSeconds(s.takenAt()));
    g.writeBooleanField("activity_tracking_enabled", s.enabled());
    g.writeArrayFieldStart("instances");
    Marks all = new Marks();
    Map<String, BackendSnapshot> byName = new LinkedHashMap<>();
    for (BackendSnapshot b : s.backends()) {
      byName.put(b.name(), b);
    }
    for (BackendDescription d : directory.backends()) {
      BackendSnapshot b = byName.remove(d.name());
      writeInstance(
          g, out, d, s.enabled() ? (b == null ? BackendSnapshot.empty(d.name()) : b) : null, all);
    }
    for (BackendSnapshot b : byName.values()) {
      writeInstance(g, out, undescribed(b), s.enabled() ? b : null, all);
    }
    g.writeEndArray();
    g.writeFieldName("global_activity");
    writeGlobal(g, s, false, all);
    g.writeArrayFieldStart("recent");
    for (EndedConnection e : s.recent()) {
      writeEnded(g, e);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private void writeEnded(JsonGenerator g, EndedConnection e) throws IOException {
    g.writeStartObject();
    g.writeStringField("backend", e.backend());
    g.writeStringField("session_id", showSession(e.sessionId()));
    g.writeStringField("connection_type", e.type().wireName());
    g.writeFieldName("started_at");
    g.writeNumber(epochSeconds(e.startedAt()));
    g.writeFieldName("duration_seconds");
    g.writeNumber(seconds(e.duration()));
    if (e.model() == null) {
      g.writeNullField("model");
    } else {
      g.writeStringField("model", e.model());
    }
    g.writeNumberField("bytes_rx", e.bytesRx());
    g.writeNumberField("bytes_tx", e.bytesTx());
    g.writeNumberField("requests", e.requests());
    g.writeFieldName("first_byte_seconds");
    if (e.firstByte() == null) {
      g.writeNull();
    } else {
      g.writeNumber(seconds(e.firstByte()));
    }
    g.writeFieldName("first_content_seconds");
    if (e.firstContent() == null) {
      g.writeNull();
    } else {
      g.writeNumber(seconds(e.firstContent()));
    }
    g.writeFieldName("ended_at");
    g.writeNumber(epochSeconds(e.endedAt()));
    g.writeStringField("reason", e.reason().wireName());
    g.writeNumberField("orphaned_rx_bytes", e.bytesRxOrphaned());
    g.writeNumberField("events_rx", e.eventsRx());
    g.writeNumberField("events_tx", e.eventsTx());
    g.writeFieldName("max_event_gap_seconds");
    if (e.maxEventGap() == null) {
      g.writeNull();
    } else {
      g.writeNumber(seconds(e.maxEventGap()));
    }
    g.writeEndObject();
  }

  private static BackendDescription undescribed(BackendSnapshot b) {
    TreeSet<String> models = new TreeSet<>();
    for (ConnectionSnapshot c : b.connections()) {
      if (c.model() != null) {
        models.add(c.model());
      }
    }
    return new BackendDescription(
        b.name(), UNKNOWN_CONNECTOR, false, true, List.of(), new ArrayList<>(models));
  }

  /** Stalled and orphaned rows, counted while the rows are written. */
  private static final class Marks {
    int stalled;
    int orphaned;
  }

  /** Writes one instance, and adds its stalled and orphaned rows to {@code all}. */
  private void writeInstance(
      JsonGenerator g,
      OutputStream out,
      BackendDescription d,
      @Nullable BackendSnapshot b,
      Marks all)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", d.name());
    g.writeStringField("connector_type", d.connectorType());
    g.writeBooleanField("is_rate_limited", d.rateLimited());
    g.writeBooleanField("is_functional", d.functional());
    writeStrings(g, "validation_errors", d.validationErrors());
    writeStrings(g, "models", d.models());
    if (b == null) {
      g.writeNullField("activity");
    } else {
      g.writeObjectFieldStart("activity");
      g.writeNumberField("active_connections", b.activeConnections());
      g.writeArrayFieldStart("connections");
      Marks marks = new Marks();
      writeConnections(g, out, b.connections(), marks);
      all.stalled += marks.stalled;
      all.orphaned += marks.orphaned;
      g.writeEndArray();
      g.writeNumberField("total_bytes_rx", b.totalBytesRx());
      g.writeNumberField("total_bytes_tx", b.totalBytesTx());
      g.writeNumberField("cumulative_bytes_rx", b.cumulativeBytesRx());
      g.writeNumberField("cumulative_bytes_tx", b.cumulativeBytesTx());
      g.writeNumberField("completed_connections", b.completedConnections());
      g.writeNumberField("stalled_connections", marks.stalled);
      g.writeNumberField("orphaned_connections", marks.orphaned);
      g.writeObjectFieldStart("ended");
      for (EndReason r : EndReason.values()) {
        g.writeNumberField(r.wireName(), b.ended().get(r));
      }
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /**
   * The rows of one backend, written straight to the stream (see {@link ConnectionsWriter}),
   * counting the stalled and orphaned ones into {@code marks}.
   */
  private void writeConnections(
      JsonGenerator g, OutputStream out, List<ConnectionSnapshot> rows, Marks marks)
      throws IOException {
    if (rows.isEmpty()) {
      return;
    }
    g.flush(); // what the generator buffered goes first
    ConnectionsWriter w = new ConnectionsWriter(out);
    boolean first = true;
    for (ConnectionSnapshot c : rows) {
      w.raw(first ? FIRST_ROW : NEXT_ROW);
      first = false;
      w.string(showSession(c.sessionId()));
      w.raw(c.type() == ConnectionType.STREAMING ? STREAMING : NON_STREAMING);
      w.raw(STARTED_AT).seconds(c.startedAt().toEpochMilli());
      w.raw(DURATION).seconds(c.duration().toMillis());
      w.raw(MODEL);
      if (c.model() == null) {
        w.raw(NULL);
      } else {
        w.string(c.model());
      }
      w.raw(BYTES_RX).number(c.bytesRx());
      w.raw(BYTES_TX).number(c.bytesTx());
      w.raw(REQUESTS).number(c.requests());
      w.raw(FIRST_BYTE);
      if (c.firstByte() == null) {
        w.raw(NULL);
      } else {
        w.seconds(c.firstByte().toMillis());
      }
      w.raw(FIRST_CONTENT);
      if (c.firstContent() == null) {
        w.raw(NULL);
      } else {
        w.seconds(c.firstContent().toMillis());
      }
      w.raw(IDLE).seconds(c.idle().toMillis());
      w.raw(BACKEND_IDLE).seconds(c.backendIdle().toMillis());
      if (c.stalled()) {
        w.raw(STALLED);
        marks.stalled++;
      } else {
        w.raw(NOT_STALLED);
      }
      if (c.orphaned()) {
        w.raw(ORPHANED);
        marks.orphaned++;
      } else {
        w.raw(NOT_ORPHANED);
      }
      w.raw(ORPHANED_RX).number(c.bytesRxOrphaned());
      w.raw(BACKLOG).number(c.backlog());
      w.raw(EVENTS_RX).number(c.eventsRx());
      w.raw(EVENTS_TX).number(c.eventsTx());
      w.raw(MAX_EVENT_GAP);
      if (c.maxEventGap() == null) {
        w.raw(NULL);
      } else {
        w.seconds(c.maxEventGap().toMillis());
      }
      w.raw(END_ROW);
    }
    w.flush();
  }

  /**
   * Writes {@code global_activity}, or the activity document with its timestamp; {@code counted}
   * holds the stalled and orphaned rows when the rows were just written, else they are counted.
   */
  private static void writeGlobal(
      JsonGenerator g, GlobalSnapshot s, boolean withTimestamp, @Nullable Marks counted)
      throws IOException {
    g.writeStartObject();
    g.writeBooleanField("enabled", s.enabled());
    if (withTimestamp) {
      g.writeFieldName("timestamp");
      g.writeNumber(epochSeconds(s.takenAt()));
    }
    g.writeNumberField("total_active_connections", s.totalActiveConnections());
    g.writeNumberField("total_bytes_rx", s.totalBytesRx());
    g.writeNumberField("total_bytes_tx", s.totalBytesTx());
    g.writeNumberField("cumulative_bytes_rx", s.cumulativeBytesRx());
    g.writeNumberField("cumulative_bytes_tx", s.cumulativeBytesTx());
    g.writeNumberField("completed_connections", s.completedConnections());
    Marks marks = counted;
    if (marks == null) {
      marks = new Marks();
      for (BackendSnapshot b : s.backends()) {
        marks.stalled += b.stalledConnections();
        marks.orphaned += b.orphanedConnections();
      }
    }
    g.writeNumberField("stalled_connections", marks.stalled);
    g.writeNumberField("orphaned_connections", marks.orphaned);
    g.writeEndObject();
  }

  private static void writeStrings(JsonGenerator g, String field, List<String> values)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  private String showSession(String id) {
    return display.show(id);
  }

  /** Epoch seconds with millisecond precision, written plainly (1701791990.456). */
  static String epochSeconds(Instant t) {
    return millisAsSeconds(t.toEpochMilli());
  }

  /** Seconds with millisecond precision (9.667). */
  static String seconds(Duration d) {
    return millisAsSeconds(d.toMillis());
  }

  /**
   * Milliseconds as seconds with exactly three decimals, as {@code BigDecimal.valueOf(ms, 3)} would
   * print them plainly ({@code 0.005}, {@code 9.000}, {@code -1.250}), without building one.
   */
  static String millisAsSeconds(long millis) {
    byte[] buf = new byte[ConnectionsWriter.SECONDS_CHARS];
    int start = ConnectionsWriter.formatSeconds(millis, buf);
    return new String(buf, start, buf.length - start, StandardCharsets.ISO_8859_1);
  }
}
