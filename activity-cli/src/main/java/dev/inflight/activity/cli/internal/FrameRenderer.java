package dev.inflight.activity.cli.internal;

import dev.inflight.activity.json.ConnectionView;
import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.GlobalActivityView;
import dev.inflight.activity.json.InstanceView;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Draws one screen of the activity view: a summary box (active connections, total RX/TX, time) and
 * a table of the active connections, as in the seed's sample. Pure: same document, same text.
 *
 * <p>Rows whose stream is in trouble are marked: when any row is stalled or orphaned, the table has
 * a State column ({@code stalled}, {@code orphaned}, {@code stalled, orphaned}, or empty) and the
 * summary counts them. While none is, the frame is the seed's.
 */
final class FrameRenderer {

  /** The characters a box is drawn with. */
  enum Box {
    UNICODE('─', '│', '┌', '┐', '└', '┘', '┬', '┴', '├', '┤', '┼'),
    ASCII('-', '|', '+', '+', '+', '+', '+', '+', '+', '+', '+');

    final char h;
    final char v;
    final char tl;
    final char tr;
    final char bl;
    final char br;
    final char tDown;
    final char tUp;
    final char tRight;
    final char tLeft;
    final char cross;

    Box(
        char h,
        char v,
        char tl,
        char tr,
        char bl,
        char br,
        char tDown,
        char tUp,
        char tRight,
        char tLeft,
        char cross) {
      this.h = h;
      this.v = v;
      this.tl = tl;
      this.tr = tr;
      this.bl = bl;
      this.br = br;
      this.tDown = tDown;
      this.tUp = tUp;
      this.tRight = tRight;
      this.tLeft = tLeft;
      this.cross = cross;
    }
  }

  static final String TITLE = "Connection Activity";
  static final String TABLE_TITLE = "Active Connections";
  static final String NO_CONNECTIONS = "No active connections.";
  static final String DISABLED = "Activity tracking is DISABLED on this proxy.";
  static final List<String> ENABLE_HINT =
      List.of(
          "Enable it with any of (highest priority first):",
          "  --enable-activity-tracking       command-line flag of the proxy",
          "  ENABLE_ACTIVITY_TRACKING=1       environment variable",
          "  enable_activity_tracking: true   in config/config.yaml");
  static final String FLEET_ENABLE_HINT =
      "activity tracking is off there (enable it with --enable-activity-tracking,"
          + " ENABLE_ACTIVITY_TRACKING=1 or enable_activity_tracking: true)";

  private static final String[] HEADERS = {
    "Backend", "Session", "Type", "Model", "Duration", "RX", "TX"
  };

  /** Duration, RX and TX are numbers: right-aligned. */
  private static final boolean[] RIGHT_ALIGNED = {false, false, false, false, true, true, true};

  static final String STATE = "State";
  static final String STALLED = "stalled";
  static final String ORPHANED = "orphaned";

  static final String FLEET_TITLE = "Fleet Activity";
  static final String PROXIES_TITLE = "Proxies";
  static final String UP = "up";
  static final String DISABLED_STATUS = "disabled";
  static final String UNREACHABLE = "unreachable";

  private static final String[] PROXY_HEADERS = {
    "Proxy", "Status", "Active", "Total RX", "Total TX", "Updated"
  };
  private static final boolean[] PROXY_RIGHT_ALIGNED = {false, false, true, true, true, false};
  private static final String[] FLEET_ROW_HEADERS = {
    "Proxy", "Backend", "Session", "Type", "Model", "Duration", "RX", "TX"
  };
  private static final boolean[] FLEET_ROW_RIGHT_ALIGNED = {
    false, false, false, false, false, true, true, true
  };

  private final Box box;
  private final ZoneId zone;

  FrameRenderer(Box box, ZoneId zone) {
    this.box = Objects.requireNonNull(box, "box");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /**
   * Renders a document.
   *
   * @param doc the parsed {@code /v1/diagnostics} document
   * @return the lines of the frame
   */
  List<String> render(DiagnosticsDocument doc) {
    List<String> lines = new ArrayList<>();
    if (!doc.activityTrackingEnabled() || !doc.globalActivity().enabled()) {
      List<String> body = new ArrayList<>();
      body.add(DISABLED + "  |  Updated: " + Format.clock(doc.timestamp(), zone));
      body.add("");
      body.addAll(ENABLE_HINT);
      lines.addAll(panel(TITLE, body, 0));
      return lines;
    }
    List<String[]> rows = rows(doc);
    GlobalActivityView g = doc.globalActivity();
    String summary =
        "Active Connections: "
            + g.totalActiveConnections()
            + troubleCounts(g.stalledConnections(), g.orphanedConnections())
            + "  |  Total RX: "
            + Format.bytes(g.totalBytesRx())
            + "  |  Total TX: "
            + Format.bytes(g.totalBytesTx())
            + "  |  Updated: "
            + Format.clock(doc.timestamp(), zone);
    if (rows.isEmpty()) {
      lines.addAll(panel(TITLE, List.of(summary), 0));
      lines.add("");
      lines.add(NO_CONNECTIONS);
      return lines;
    }
    List<String> table = table(rows);
    int tableWidth = table.get(0).length();
    lines.addAll(panel(TITLE, List.of(summary), tableWidth));
    lines.add("");
    lines.add(center(TABLE_TITLE, tableWidth));
    lines.addAll(table);
    return lines;
  }

  /**
   * Renders a frame that says why no document could be shown (watch mode keeps polling).
   *
   * @param message the one-line error
   * @param nowEpochSeconds the time of the attempt
   * @return the lines of the frame
   */
  List<String> renderError(String message, double nowEpochSeconds) {
    return panel(
        TITLE,
        List.of(
            "Error: " + message,
            "Last attempt: " + Format.clock(nowEpochSeconds, zone) + "  (still polling)"),
        0);
  }

  /**
   * Renders several proxies at once: the fleet's total in the summary box, one line per proxy (up,
   * disabled or unreachable, with why below the table), and every proxy's rows in one table with a
   * Proxy column. Proxies keep the order they were given in.
   *
   * @param readings one reading per proxy
   * @param nowEpochSeconds the time of the reading, shown as the fleet's update time
   * @return the lines of the frame
   */
  List<String> renderFleet(List<Fleet.Reading> readings, double nowEpochSeconds) {
    int up = 0;
    long active = 0;
    long rx = 0;
    long tx = 0;
    int stalled = 0;
    int orphaned = 0;
    List<String[]> proxyRows = new ArrayList<>(readings.size());
    List<String> notes = new ArrayList<>();
    List<String[]> rows = new ArrayList<>();
    for (Fleet.Reading r : readings) {
      String label = r.proxy().label();
      DiagnosticsDocument doc = r.doc();
      FetchException error = r.error();
      if (doc == null) {
        String why = error == null ? "no answer" : error.reason();
        proxyRows.add(new String[] {label, UNREACHABLE, "-", "-", "-", "-"});
        notes.add("  " + label + " " + UNREACHABLE + ": " + why);
        continue;
      }
      up++;
      String updated = Format.clock(doc.timestamp(), zone);
      if (!doc.activityTrackingEnabled() || !doc.globalActivity().enabled()) {
        proxyRows.add(new String[] {label, DISABLED_STATUS, "-", "-", "-", updated});
        notes.add("  " + label + " " + DISABLED_STATUS + ": " + FLEET_ENABLE_HINT);
        continue;
      }
      GlobalActivityView g = doc.globalActivity();
      active += g.totalActiveConnections();
      rx += g.totalBytesRx();
      tx += g.totalBytesTx();
      stalled += g.stalledConnections();
      orphaned += g.orphanedConnections();
      proxyRows.add(
          new String[] {
            label,
            UP,
            Integer.toString(g.totalActiveConnections()),
            Format.bytes(g.totalBytesRx()),
            Format.bytes(g.totalBytesTx()),
            updated
          });
      rows.addAll(rows(doc, label));
    }
    String summary =
        "Proxies: "
            + up
            + " of "
            + readings.size()
            + " up  |  Active Connections: "
            + active
            + troubleCounts(stalled, orphaned)
            + "  |  Total RX: "
            + Format.bytes(rx)
            + "  |  Total TX: "
            + Format.bytes(tx)
            + "  |  Updated: "
            + Format.clock(nowEpochSeconds, zone);
    List<String> proxyTable = table(PROXY_HEADERS, PROXY_RIGHT_ALIGNED, proxyRows);
    List<String> rowTable =
        rows.isEmpty() ? List.of() : rowTable(FLEET_ROW_HEADERS, FLEET_ROW_RIGHT_ALIGNED, rows);
    int width = proxyTable.get(0).length();
    if (!rowTable.isEmpty()) {
      width = Math.max(width, rowTable.get(0).length());
    }
    List<String> lines = new ArrayList<>(panel(FLEET_TITLE, List.of(summary), width));
    lines.add("");
    lines.add(center(PROXIES_TITLE, proxyTable.get(0).length()));
    lines.addAll(proxyTable);
    lines.addAll(notes);
    lines.add("");
    if (rowTable.isEmpty()) {
      lines.add(NO_CONNECTIONS);
    } else {
      lines.add(center(TABLE_TITLE, rowTable.get(0).length()));
      lines.addAll(rowTable);
    }
    return lines;
  }

  private static List<String[]> rows(DiagnosticsDocument doc) {
    return rows(doc, null);
  }

  /**
   * The summary's count of rows in trouble, {@code " | Stalled: 1 | Orphaned: 0"}, or nothing while
   * there are none.
   */
  private static String troubleCounts(long stalled, long orphaned) {
    if (stalled == 0 && orphaned == 0) {
      return "";
    }
    return "  |  Stalled: " + stalled + "  |  Orphaned: " + orphaned;
  }

  /** The State cell of a row: what is wrong with its stream, or nothing. */
  static String state(ConnectionView c) {
    if (c.stalled() && c.orphaned()) {
      return STALLED + ", " + ORPHANED;
    }
    if (c.stalled()) {
      return STALLED;
    }
    return c.orphaned() ? ORPHANED : "";
  }

  /**
   * The rows, each with its State cell last, with the columns to draw: the State column only when a
   * row has something in it.
   */
  private List<String> rowTable(String[] headers, boolean[] right, List<String[]> rows) {
    boolean trouble = false;
    for (String[] row : rows) {
      trouble |= !row[row.length - 1].isEmpty();
    }
    if (trouble) {
      String[] withState = Arrays.copyOf(headers, headers.length + 1);
      withState[headers.length] = STATE;
      return table(withState, Arrays.copyOf(right, right.length + 1), rows);
    }
    List<String[]> without = new ArrayList<>(rows.size());
    for (String[] row : rows) {
      without.add(Arrays.copyOf(row, row.length - 1));
    }
    return table(headers, right, without);
  }

  /**
   * The rows of one document, sorted, with the proxy's label first when one is given and the State
   * cell last.
   */
  private static List<String[]> rows(DiagnosticsDocument doc, @Nullable String proxy) {
    record Row(String backend, ConnectionView c) {}
    List<Row> all = new ArrayList<>();
    for (InstanceView instance : doc.instances()) {
      if (instance.activity() == null) {
        continue;
      }
      for (ConnectionView c : instance.activity().connections()) {
        all.add(new Row(instance.name(), c));
      }
    }
    all.sort(
        Comparator.comparing(Row::backend)
            .thenComparingDouble(r -> r.c().startedAt())
            .thenComparing(r -> r.c().sessionId()));
    List<String[]> rows = new ArrayList<>(all.size());
    for (Row r : all) {
      ConnectionView c = r.c();
      List<String> cells = new ArrayList<>(8);
      if (proxy != null) {
        cells.add(proxy);
      }
      cells.add(r.backend());
      cells.add(Format.session(c.sessionId()));
      cells.add(c.connectionType());
      cells.add(c.model() == null ? "-" : c.model());
      cells.add(Format.duration(c.durationSeconds()));
      cells.add(Format.bytes(c.bytesRx()));
      cells.add(Format.bytes(c.bytesTx()));
      cells.add(state(c));
      rows.add(cells.toArray(new String[0]));
    }
    return rows;
  }

  private List<String> table(List<String[]> rows) {
    return rowTable(HEADERS, RIGHT_ALIGNED, rows);
  }

  /** A boxed table; {@code right[i]} right-aligns column i (numbers). */
  private List<String> table(String[] headers, boolean[] right, List<String[]> rows) {
    int[] widths = new int[headers.length];
    for (int i = 0; i < headers.length; i++) {
      widths[i] = headers[i].length();
    }
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    List<String> out = new ArrayList<>();
    out.add(rule(widths, box.tl, box.tDown, box.tr));
    out.add(line(headers, widths, right));
    out.add(rule(widths, box.tRight, box.cross, box.tLeft));
    for (String[] row : rows) {
      out.add(line(row, widths, right));
    }
    out.add(rule(widths, box.bl, box.tUp, box.br));
    return out;
  }

  private String rule(int[] widths, char left, char middle, char right) {
    StringBuilder sb = new StringBuilder().append(left);
    for (int i = 0; i < widths.length; i++) {
      if (i > 0) {
        sb.append(middle);
      }
      sb.append(String.valueOf(box.h).repeat(widths[i] + 2));
    }
    return sb.append(right).toString();
  }

  private String line(String[] cells, int[] widths, boolean[] right) {
    StringBuilder sb = new StringBuilder().append(box.v);
    for (int i = 0; i < cells.length; i++) {
      sb.append(' ');
      sb.append(right[i] ? padLeft(cells[i], widths[i]) : padRight(cells[i], widths[i]));
      sb.append(' ').append(box.v);
    }
    return sb.toString();
  }

  /** A box with a centred title, at least {@code minWidth} wide, holding the given lines. */
  private List<String> panel(String title, List<String> body, int minWidth) {
    int inner = Math.max(title.length() + 4, minWidth - 2);
    for (String b : body) {
      inner = Math.max(inner, b.length() + 2);
    }
    String label = " " + title + " ";
    int left = (inner - label.length()) / 2;
    int right = inner - label.length() - left;
    String h = String.valueOf(box.h);
    List<String> out = new ArrayList<>();
    out.add(box.tl + h.repeat(left) + label + h.repeat(right) + box.tr);
    for (String b : body) {
      out.add(box.v + " " + padRight(b, inner - 2) + " " + box.v);
    }
    out.add(box.bl + h.repeat(inner) + box.br);
    return out;
  }

  private static String center(String text, int width) {
    int pad = Math.max(0, (width - text.length()) / 2);
    return " ".repeat(pad) + text;
  }

  private static String padRight(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  private static String padLeft(String s, int width) {
    return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
  }
}
