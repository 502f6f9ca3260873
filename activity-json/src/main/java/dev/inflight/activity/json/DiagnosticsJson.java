package dev.inflight.activity.json;

import dev.inflight.activity.GlobalSnapshot;
import dev.inflight.activity.json.internal.Parser;
import dev.inflight.activity.json.internal.Renderer;
import java.util.Objects;

/**
 * Renders tracker snapshots as the diagnostics documents and parses them back.
 *
 * <p>The documents use the seed's field names (snake_case) and JSON types; timestamps are epoch
 * seconds and durations seconds, both with millisecond precision. Beside the seed's fields they
 * carry extras (the seed's keys and types never change):
 *
 * <ul>
 *   <li>per connection: {@code requests}, {@code first_byte_seconds}, {@code first_content_seconds}
 *       (time to the backend's first content: on a streaming row whose chunks the tracker reads,
 *       the first that is not only comments; else the first byte received; null until then), {@code
 *       idle_seconds}, and the stream's health: {@code backend_idle_seconds} (time since the
 *       backend last sent content; keep-alive comments are not content), {@code stalled} (no
 *       content for the tracker's stall time), {@code orphaned} (every client of the row left while
 *       the backend goes on), {@code orphaned_rx_bytes} (RX since then, 0 if not orphaned), {@code
 *       backlog_bytes} (RX minus TX; negative when the proxy sent more than it received), {@code
 *       events_rx} and {@code events_tx} (server-sent events received from the backend and sent to
 *       the client; comment-only blocks are not events; 0 where the tracker does not read the
 *       bytes) and {@code max_event_gap_seconds} (the largest time between two consecutive events
 *       from the backend, null before a second event);
 *   <li>per instance: {@code cumulative_bytes_rx/tx}, {@code completed_connections} (rows ended for
 *       any reason), {@code stalled_connections} and {@code orphaned_connections} (open rows so
 *       marked), and {@code ended} ({@code completed}, {@code client_aborted}, {@code errored},
 *       {@code evicted});
 *   <li>in {@code global_activity} (and the {@code /v1/diagnostics/activity} document): {@code
 *       enabled}, the cumulative counters, {@code completed_connections}, {@code
 *       stalled_connections} and {@code orphaned_connections};
 *   <li>a top-level {@code recent} list of the most recently ended rows, newest first, each with
 *       the row's fields (event counts included), its {@code backend}, {@code ended_at} (epoch
 *       seconds), {@code reason} and {@code orphaned_rx_bytes} (RX after every client of the row
 *       left).
 * </ul>
 *
 * <p>When tracking is disabled every instance has {@code "activity": null}.
 *
 * <pre>{@code
 * DiagnosticsJson json = DiagnosticsJson.create(
 *     BackendDirectory.of(List.of(BackendDescription.of("openai.1", "openai", List.of("gpt-4")))),
 *     SessionIdDisplay.FULL);
 * byte[] body = json.diagnostics(tracker.getGlobalSnapshot());
 * }</pre>
 *
 * <p>Instances are thread-safe and immutable.
 */
public final class DiagnosticsJson {

  private final Renderer renderer;
  private final BackendDirectory directory;
  private final SessionIdDisplay display;

  private DiagnosticsJson(BackendDirectory directory, SessionIdDisplay display) {
    this.renderer = new Renderer(directory, display);
    this.directory = directory;
    this.display = display;
  }

  /**
   * A renderer that shows the host's backend descriptions.
   *
   * @param directory how the host describes its backends
   * @param display how session ids are shown
   * @return the renderer
   */
  public static DiagnosticsJson create(BackendDirectory directory, SessionIdDisplay display) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(display, "display");
    return new DiagnosticsJson(directory, display);
  }

  /**
   * A renderer with no backend descriptions and full session ids.
   *
   * @return the renderer
   */
  public static DiagnosticsJson create() {
    return create(BackendDirectory.none(), SessionIdDisplay.FULL);
  }

  /**
   * How this renderer shows session ids.
   *
   * @return the display
   */
  public SessionIdDisplay sessionIdDisplay() {
    return display;
  }

  /**
   * A renderer with this one's backend descriptions that shows session ids as {@code display}: how
   * a door applies its {@link DiagnosticsPolicy}.
   *
   * @param display how session ids are shown
   * @return this renderer if it already shows them so, else a new one
   */
  public DiagnosticsJson withSessionIdDisplay(SessionIdDisplay display) {
    return display == this.display ? this : create(directory, display);
  }

  /**
   * The {@code /v1/diagnostics} document.
   *
   * @param snapshot the tracker's snapshot
   * @return the document, UTF-8
   */
  public byte[] diagnostics(GlobalSnapshot snapshot) {
    return renderer.diagnostics(snapshot);
  }

  /**
   * The {@code /v1/diagnostics/activity} document: {@code global_activity} plus a {@code
   * timestamp}.
   *
   * @param snapshot the tracker's snapshot
   * @return the document, UTF-8
   */
  public byte[] activity(GlobalSnapshot snapshot) {
    return renderer.activity(snapshot);
  }

  /**
   * Parses a {@code /v1/diagnostics} document, from this library or any seed-compatible server.
   *
   * @param json the document
   * @return the typed view
   * @throws DiagnosticsFormatException if it is not JSON or a required field is missing or of the
   *     wrong type; the message names the field
   */
  public static DiagnosticsDocument parseDiagnostics(String json) {
    return Parser.diagnostics(json);
  }

  /**
   * Parses a {@code /v1/diagnostics/activity} document.
   *
   * @param json the document
   * @return the typed view
   * @throws DiagnosticsFormatException if it is not JSON or a required field is missing or of the
   *     wrong type
   */
  public static GlobalActivityView parseActivity(String json) {
    return Parser.activity(json);
  }
}
