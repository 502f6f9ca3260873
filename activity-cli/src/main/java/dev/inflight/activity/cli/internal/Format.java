package dev.inflight.activity.cli.internal;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Human units, as the seed's table shows them: {@code 15.0 KB}, {@code 12.3s}, {@code 5m 3s}. */
final class Format {

  private static final String[] UNITS = {"KB", "MB", "GB", "TB", "PB", "EB"};
  private static final int SESSION_KEEP = 10;
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private Format() {}

  /**
   * Bytes in binary units with one decimal: {@code 512 B}, {@code 15.0 KB}, {@code 2.3 MB}.
   *
   * @param bytes a non-negative count
   * @return the text
   */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = -1;
    // Promote before rounding would print "1024.0 KB".
    while (unit < UNITS.length - 1 && value >= 1024 * 0.99995) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }

  /**
   * A duration: {@code 12.3s} below a minute, {@code 5m 3s} below an hour, {@code 2h 5m} above.
   *
   * @param seconds elapsed seconds
   * @return the text
   */
  static String duration(double seconds) {
    if (!(seconds >= 0)) {
      return "-";
    }
    if (seconds < 59.95) {
      return String.format(Locale.ROOT, "%.1fs", seconds);
    }
    long whole = Math.round(seconds);
    if (whole < 3600) {
      return (whole / 60) + "m " + (whole % 60) + "s";
    }
    return (whole / 3600) + "h " + (whole % 3600 / 60) + "m";
  }

  /**
   * A session id shortened to its first ten characters and an ellipsis, as {@code abc123def4...};
   * short ids are shown whole.
   *
   * @param sessionId the id
   * @return the text
   */
  static String session(String sessionId) {
    if (sessionId.length() <= SESSION_KEEP + 3) {
      return sessionId;
    }
    return sessionId.substring(0, SESSION_KEEP) + "...";
  }

  /**
   * An epoch-seconds timestamp as a wall clock time, {@code 14:30:05}.
   *
   * @param epochSeconds seconds since the epoch
   * @param zone the zone to show it in
   * @return the text
   */
  static String clock(double epochSeconds, ZoneId zone) {
    long millis = (long) (epochSeconds * 1000);
    return CLOCK.format(Instant.ofEpochMilli(millis).atZone(zone));
  }

  /**
   * Seconds as a short number, {@code 1.0s} or {@code 0.25s}.
   *
   * @param seconds the interval
   * @return the text
   */
  static String interval(double seconds) {
    String text = String.format(Locale.ROOT, "%.2f", seconds);
    if (text.endsWith("0")) {
      text = text.substring(0, text.length() - 1);
    }
    return text + "s";
  }
}
