package dev.inflight.activity.json.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the elements of a {@code connections} array as UTF-8 straight to the document's stream,
 * between a generator's {@code [} and {@code ]}. The rows are most of a large document and all of
 * one shape; written field by field through the generator, its per-call bookkeeping cost more than
 * the rest of the rendering. The bytes are the generator's: strings escaped as Jackson escapes them
 * by default, numbers plain. Used by one thread, for one array.
 */
final class ConnectionsWriter {

  /** Longest number {@link #formatSeconds} writes: a sign, 19 digits and a point. */
  static final int SECONDS_CHARS = 21;

  private static final byte[] HEX = {
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'
  };

  /** The most bytes one char or one number can take. */
  private static final int MAX_STEP = 24;

  private final OutputStream out;
  private final byte[] buf = new byte[8192];
  private final byte[] scratch = new byte[MAX_STEP];
  private int pos;

  ConnectionsWriter(OutputStream out) {
    this.out = out;
  }

  /**
   * Text that is ASCII and needs no escaping (the document's own punctuation and names), encoded
   * once.
   *
   * @param s the text
   * @return its bytes
   */
  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Writes bytes made by {@link #ascii(String)}. */
  ConnectionsWriter raw(byte[] ascii) throws IOException {
    if (ascii.length > buf.length - pos) {
      flush();
      if (ascii.length > buf.length) {
        out.write(ascii);
        return this;
      }
    }
    System.arraycopy(ascii, 0, buf, pos, ascii.length);
    pos += ascii.length;
    return this;
  }

  /**
   * Writes a JSON string: quote and backslash escaped, control characters as their short escape or
   * a six-char hex escape, surrogates (paired or not) as hex escapes too, the rest as UTF-8.
   */
  ConnectionsWriter string(String s) throws IOException {
    room(1);
    buf[pos++] = '"';
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      room(6);
      if (c >= ' ' && c < 0x80 && c != '"' && c != '\\') {
        buf[pos++] = (byte) c;
      } else if (c < ' ' || c == '"' || c == '\\') {
        escape(c);
      } else if (c < 0x800) {
        buf[pos++] = (byte) (0xC0 | (c >> 6));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        hexEscape(c);
      } else {
        buf[pos++] = (byte) (0xE0 | (c >> 12));
        buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    room(1);
    buf[pos++] = '"';
    return this;
  }

  private void escape(char c) {
    byte shortForm =
        switch (c) {
          case '"' -> '"';
          case '\\' -> '\\';
          case '\b' -> 'b';
          case '\t' -> 't';
          case '\n' -> 'n';
          case '\f' -> 'f';
          case '\r' -> 'r';
          default -> 0;
        };
    if (shortForm == 0) {
      hexEscape(c);
    } else {
      buf[pos++] = '\\';
      buf[pos++] = shortForm;
    }
  }

  private void hexEscape(char c) {
    buf[pos++] = '\\';
    buf[pos++] = 'u';
    buf[pos++] = HEX[c >> 12];
    buf[pos++] = HEX[(c >> 8) & 0xF];
    buf[pos++] = HEX[(c >> 4) & 0xF];
    buf[pos++] = HEX[c & 0xF];
  }

  /** Writes a whole number. */
  ConnectionsWriter number(long v) throws IOException {
    int i = scratch.length;
    long rest = v < 0 ? v : -v; // negative: Long.MIN_VALUE has no positive counterpart
    do {
      scratch[--i] = (byte) ('0' - rest % 10);
      rest /= 10;
    } while (rest != 0);
    if (v < 0) {
      scratch[--i] = '-';
    }
    return copy(i);
  }

  /** Writes milliseconds as seconds with three decimals (see {@link Renderer#millisAsSeconds}). */
  ConnectionsWriter seconds(long millis) throws IOException {
    return copy(formatSeconds(millis, scratch));
  }

  private ConnectionsWriter copy(int from) throws IOException {
    int n = scratch.length - from;
    room(n);
    System.arraycopy(scratch, from, buf, pos, n);
    pos += n;
    return this;
  }

  private void room(int n) throws IOException {
    if (pos + n > buf.length) {
      flush();
    }
  }

  /** Hands what is buffered to the stream. */
  void flush() throws IOException {
    out.write(buf, 0, pos);
    pos = 0;
  }

  /**
   * Formats milliseconds as seconds with exactly three decimals, right-aligned into the end of
   * {@code into} (at least {@link #SECONDS_CHARS} long), as ASCII.
   *
   * @return the index of the first byte
   */
  static int formatSeconds(long millis, byte[] into) {
    int i = into.length;
    // remainders are taken on the negative value: Long.MIN_VALUE has no positive counterpart
    long rest = millis < 0 ? millis : -millis;
    for (int d = 0; d < 3; d++) {
      into[--i] = (byte) ('0' - rest % 10);
      rest /= 10;
    }
    into[--i] = '.';
    do {
      into[--i] = (byte) ('0' - rest % 10);
      rest /= 10;
    } while (rest != 0);
    if (millis < 0) {
      into[--i] = '-';
    }
    return i;
  }
}
