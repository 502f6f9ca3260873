package dev.inflight.activity.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads a server-sent-event stream's chunks as they are counted: which hold content rather than
 * keep-alive comments, whether a chunk ends with the stream's last event, whether the first content
 * event has come, and how many events a chunk completes. The bytes are read in place, never kept:
 * with absolute gets from a buffer, or from the array itself where the quick reading is given one.
 * There are two readings:
 *
 * <ul>
 *   <li>{@link #scan} walks every line, skipping a line's bytes eight at a time to its end; it is
 *       exact and counts events. The tracker uses it while a row has no first content yet, and on
 *       every chunk when events are counted.
 *   <li>{@link #quick} looks at a chunk in O(1) (its first and last bytes, and a few bytes before a
 *       final line end) unless it begins inside or at a comment line, which keep-alive pings do;
 *       only then are its lines walked, up to the first byte of content. One approximation keeps
 *       every content chunk O(1): a chunk that holds content and ends inside a line leaves that
 *       line taken for content, so if the read cut a comment that followed the content, the
 *       comment's rest counts as content once. It counts no events.
 * </ul>
 *
 * <p>The state between chunks is a few bits (see {@link #STATE}), kept by the caller, one per
 * stream read in order; {@link #quick} reads and keeps only {@link #AT_LINE_START} and {@link
 * #IN_COMMENT}. Lines end at CR, LF or CRLF (a CRLF split between two chunks included). A line that
 * begins with {@code ':'} is a comment; any other non-empty line is a field ({@code data:}, {@code
 * event:}, ...). An <em>event</em> is a block of lines with at least one field, ended by an empty
 * line. A keep-alive is neither content nor an event: a block of comments only ({@code : ping}), or
 * a block whose {@code event:} line, ended within the chunk and read before its data, names {@code
 * ping} (Anthropic's keep-alive event). Content is never taken for a keep-alive, so a stream that
 * sends content is never marked stalled.
 *
 * <p>When asked to judge events, a block whose {@code event:} line names a control event (one that
 * opens a response or a block and carries no generated content: OpenAI's {@code response.created},
 * {@code response.in_progress}, {@code response.queued}, {@code response.output_item.added}, {@code
 * response.content_part.added}; Anthropic's {@code message_start}, {@code content_block_start},
 * {@code ping}) is not first content. The {@code event:} line is read where it begins, as every
 * provider sends it before its data; one cut by the end of a chunk is judged by the part that
 * arrived (a prefix of a control name is taken for one).
 */
final class SseScan {
  /** State: the next byte begins a line. */
  static final int AT_LINE_START = 1;

  /** State: the line under way is a comment. */
  static final int IN_COMMENT = 2;

  /** State: the last byte was a CR, so an LF next ends no second line. */
  static final int AFTER_CR = 16;

  /** State: the block under way has a field: the next empty line completes an event. */
  static final int IN_EVENT = 32;

  /** State: the block under way was named a control event. */
  static final int CONTROL = 64;

  /** State: the block under way is a keep-alive event ({@code event: ping}). */
  static final int PING = 256;

  /** The state bits. */
  static final int STATE = AT_LINE_START | IN_COMMENT | AFTER_CR | IN_EVENT | CONTROL | PING;

  /** Result: the chunk holds at least one byte of a line that is not a comment. */
  static final int CONTENT = 4;

  /**
   * Result: the chunk ends with the stream's last event, {@code [DONE]} or {@code message_stop}.
   */
  static final int TERMINAL = 8;

  /**
   * Result, when events are judged: the chunk holds a byte of a field line of a block that is not a
   * control event.
   */
  static final int FIRST_CONTENT = 128;

  /**
   * What {@link #quick(byte[], int, int, int)} returns for a chunk it leaves to the buffer's
   * reading.
   */
  static final int IN_BUFFER = -1;

  /** The state before a stream's first byte. */
  static final int INITIAL = AT_LINE_START;

  // The stream's last events, as words of up to eight bytes, last byte lowest (see endsWith):
  // constants the compiler folds into the code, rather than arrays whose bytes are read from memory
  // on every chunk that ends in '}' (every OpenAI chunk).

  /** {@code [DONE]}. */
  private static final long DONE = word("[DONE]");

  /** The last eight bytes of Anthropic's {@code {"type":"message_stop"}}. */
  private static final long STOP_TAIL = word("e_stop\"}");

  /** The six bytes before {@link #STOP_TAIL}. */
  private static final long STOP_HEAD = word("messag");

  private static final byte[] EVENT_FIELD = {'e', 'v', 'e', 'n', 't', ':'};

  private static final byte[] PING_NAME = {'p', 'i', 'n', 'g'};

  /** The longest {@code event: ping} line {@link #namesPing} accepts, without its line end. */
  private static final int PING_LINE = EVENT_FIELD.length + 1 + PING_NAME.length;

  private static final byte[][] CONTROL_EVENTS = {
    ascii("response.created"),
    ascii("response.in_progress"),
    ascii("response.queued"),
    ascii("response.output_item.added"),
    ascii("response.content_part.added"),
    ascii("message_start"),
    ascii("content_block_start"),
    ascii("ping"),
  };

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private SseScan() {}

  /**
   * Scans {@code b}'s bytes from {@code from} (inclusive) to {@code to} (exclusive), which are not
   * empty.
   *
   * @param state the state after the previous chunk ({@link #INITIAL} before the first)
   * @param judge whether to judge events for {@link #FIRST_CONTENT} (only needed until it is seen)
   * @return in the low 32 bits the state after this chunk with {@link #CONTENT}, {@link #TERMINAL}
   *     and {@link #FIRST_CONTENT} as they apply; in the high 32 bits the events it completed
   */
  static long scan(ByteBuffer b, int from, int to, int state, boolean judge) {
    boolean atStart = (state & AT_LINE_START) != 0;
    boolean comment = (state & IN_COMMENT) != 0;
    boolean afterCr = (state & AFTER_CR) != 0;
    boolean inEvent = (state & IN_EVENT) != 0;
    boolean control = (state & CONTROL) != 0;
    boolean ping = (state & PING) != 0;
    int flags = 0;
    int events = 0;
    int i = from;
    if (!atStart && !comment && !ping && !isLineEnd(b.get(from))) {
      flags = control ? CONTENT : CONTENT | FIRST_CONTENT; // the chunk continues a field line
    }
    while (i < to) {
      if (atStart) {
        byte c = b.get(i);
        boolean lf = c == '\n';
        if (lf || c == '\r') {
          if (!(lf && afterCr)) { // an empty line (the LF of a CRLF ends nothing more)
            if (inEvent && !ping) {
              events++;
            }
            inEvent = false;
            control = false;
            ping = false;
          }
          afterCr = !lf;
          i++;
          continue;
        }
        afterCr = false;
        atStart = false;
        comment = c == ':';
        if (!comment && c == 'e' && namesPing(b, i, to)) {
          ping = true; // a keep-alive event: like a comment, neither content nor an event
        }
        if (!comment && !ping) {
          inEvent = true;
          if (judge && c == 'e' && namesControl(b, i, to)) {
            control = true;
          }
          flags |= control ? CONTENT : CONTENT | FIRST_CONTENT;
        }
        i++;
      }
      int end = lineEnd(b, i, to);
      if (end < 0) {
        break; // the chunk ends inside the line
      }
      atStart = true;
      comment = false;
      afterCr = b.get(end) == '\r';
      i = end + 1;
    }
    if (atStart && (flags & CONTENT) != 0 && endsWithLastEvent(b, from, to)) {
      flags |= TERMINAL;
    }
    int after =
        flags
            | (atStart ? AT_LINE_START : 0)
            | (comment ? IN_COMMENT : 0)
            | (afterCr ? AFTER_CR : 0)
            | (inEvent ? IN_EVENT : 0)
            | (control ? CONTROL : 0)
            | (ping ? PING : 0);
    return ((long) events << 32) | (after & 0xFFFFFFFFL);
  }

  /**
   * Reads a chunk without counting events (see the class comment): {@link #CONTENT} and {@link
   * #TERMINAL} as they apply, and the state after it.
   *
   * @param state the state after the previous chunk ({@link #INITIAL} before the first)
   * @return the state after this chunk with the flags; as {@link #scan}'s low 32 bits
   */
  static int quick(ByteBuffer b, int from, int to, int state) {
    byte first = b.get(from);
    if ((state & PING) != 0
        || (first == 'e' && (state & AT_LINE_START) != 0 && namesPing(b, from, to))) {
      return (int) scan(b, from, to, state, false); // a keep-alive event: read exactly
    }
    // the common chunk: one that begins with, or inside, a line of content
    if (!contentFirst(state, first)) {
      int walked = walkToContent(b, from, to, state);
      if (walked < 0) {
        return (int) scan(b, from, to, state, false); // a keep-alive event after comments
      }
      if ((walked & CONTENT) == 0) {
        return walked; // comments and line ends only: the state is exact
      }
    }
    byte last = b.get(to - 1);
    if (isLineEnd(last)) {
      if (endsWithPingLine(b, from, to)) { // a keep-alive event begins: read its data exactly
        return CONTENT | AT_LINE_START | PING | (last == '\r' ? AFTER_CR : 0);
      }
      return endsWithLastEvent(b, from, to)
          ? CONTENT | TERMINAL | AT_LINE_START
          : CONTENT | AT_LINE_START;
    }
    return CONTENT; // ends inside a line, taken for content (see the class comment)
  }

  /**
   * {@link #quick(ByteBuffer, int, int, int)} on an array, read directly rather than through a view
   * (about half the time per chunk): the common chunk, one that begins with or inside a line of
   * content. A chunk that begins a keep-alive event, or with a comment or a line end, or that
   * follows a keep-alive event's line is left to the buffer's reading, which walks its lines.
   *
   * @return as {@link #quick(ByteBuffer, int, int, int)}, or {@link #IN_BUFFER} for a chunk it
   *     leaves to it
   */
  static int quick(byte[] a, int from, int to, int state) {
    byte first = a[from];
    if ((state & PING) != 0
        || !contentFirst(state, first)
        || (first == 'e' && (state & AT_LINE_START) != 0 && namesPing(a, from, to))) {
      return IN_BUFFER;
    }
    byte last = a[to - 1];
    if (isLineEnd(last)) {
      if (endsWithPingLine(a, from, to)) {
        return CONTENT | AT_LINE_START | PING | (last == '\r' ? AFTER_CR : 0);
      }
      return endsWithLastEvent(a, from, to)
          ? CONTENT | TERMINAL | AT_LINE_START
          : CONTENT | AT_LINE_START;
    }
    return CONTENT;
  }

  /**
   * Whether a chunk whose first byte is {@code first}, read after {@code state}, begins in content.
   */
  private static boolean contentFirst(int state, byte first) {
    return !isLineEnd(first)
        && ((state & AT_LINE_START) != 0 ? first != ':' : (state & IN_COMMENT) == 0);
  }

  /** {@link #endsWithPingLine(ByteBuffer, int, int)} on an array. */
  private static boolean endsWithPingLine(byte[] a, int from, int to) {
    int end = to - 1;
    if (a[end] == '\n' && end > from && a[end - 1] == '\r') {
      end--;
    }
    if (end - from < EVENT_FIELD.length + PING_NAME.length || a[end - 1] != 'g') {
      return false;
    }
    int start = end - 1;
    int earliest = Math.max(from, end - PING_LINE);
    while (start > earliest && !isLineEnd(a[start - 1])) {
      start--;
    }
    return start > from && isLineEnd(a[start - 1]) && namesPing(a, start, to);
  }

  /** {@link #namesPing(ByteBuffer, int, int)} on an array. */
  private static boolean namesPing(byte[] a, int i, int to) {
    int at = i;
    for (byte e : EVENT_FIELD) {
      if (at == to || a[at++] != e) {
        return false;
      }
    }
    if (at < to && a[at] == ' ') {
      at++;
    }
    for (byte p : PING_NAME) {
      if (at == to || a[at++] != p) {
        return false;
      }
    }
    return at < to && isLineEnd(a[at]);
  }

  /** {@link #endsWithLastEvent(ByteBuffer, int, int)} on an array. */
  private static boolean endsWithLastEvent(byte[] a, int from, int to) {
    int end = to - 1;
    while (end > from && isLineEnd(a[end - 1])) {
      end--;
    }
    if (end <= from) {
      return false;
    }
    byte last = a[end - 1];
    return (last == ']' && endsWith(a, from, end, DONE, 6))
        || (last == '}'
            && endsWith(a, from, end, STOP_TAIL, 8)
            && endsWith(a, from, end - 8, STOP_HEAD, 6));
  }

  /**
   * Whether the {@code length} bytes before {@code end}, not before {@code from}, are {@code w}.
   */
  private static boolean endsWith(byte[] a, int from, int end, long w, int length) {
    if (end - length < from) {
      return false;
    }
    long rest = w;
    for (int i = end - 1; i >= end - length; i--, rest >>>= 8) {
      if (a[i] != (byte) rest) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the chunk's last line, ended by its last byte (or by a CRLF), is {@code event: ping},
   * begun after a line end within the chunk. At most {@link #PING_LINE} bytes are read back from
   * the line's end, and only when it ends in {@code g}: a longer line is no ping line.
   */
  private static boolean endsWithPingLine(ByteBuffer b, int from, int to) {
    int end = to - 1;
    if (b.get(end) == '\n' && end > from && b.get(end - 1) == '\r') {
      end--;
    }
    if (end - from < EVENT_FIELD.length + PING_NAME.length || b.get(end - 1) != 'g') {
      return false;
    }
    int start = end - 1;
    int earliest = Math.max(from, end - PING_LINE);
    while (start > earliest && !isLineEnd(b.get(start - 1))) {
      start--;
    }
    return start > from && isLineEnd(b.get(start - 1)) && namesPing(b, start, to);
  }

  /**
   * Walks the lines up to the first byte of a line that is not a comment.
   *
   * @return {@link #CONTENT} at such a byte, -1 at a keep-alive event's line, else the state at the
   *     chunk's end
   */
  private static int walkToContent(ByteBuffer b, int from, int to, int state) {
    boolean atStart = (state & AT_LINE_START) != 0;
    boolean comment = (state & IN_COMMENT) != 0;
    for (int i = from; i < to; i++) {
      byte c = b.get(i);
      if (isLineEnd(c)) {
        atStart = true;
        comment = false;
      } else {
        if (atStart) {
          atStart = false;
          comment = c == ':';
          if (c == 'e' && namesPing(b, i, to)) {
            return -1;
          }
        }
        if (!comment) {
          return CONTENT;
        }
      }
    }
    return (atStart ? AT_LINE_START : 0) | (comment ? IN_COMMENT : 0);
  }

  /**
   * The index of the first CR or LF from {@code i}, or -1. Eight bytes at a time: a word with no
   * byte from 0x08 to 0x0F (which CR and LF are; text rarely has the others) is skipped whole.
   */
  private static int lineEnd(ByteBuffer b, int i, int to) {
    if (b.hasArray()) {
      int base = b.arrayOffset();
      int end = lineEnd(b.array(), base + i, base + to);
      return end < 0 ? -1 : end - base;
    }
    for (; i <= to - 8; i += 8) {
      if (mayHoldLineEnd(b.getLong(i))) {
        for (int j = i; j < i + 8; j++) {
          if (isLineEnd(b.get(j))) {
            return j;
          }
        }
      }
    }
    for (; i < to; i++) {
      if (isLineEnd(b.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** {@link #lineEnd(ByteBuffer, int, int)} on an array, whose words are read without checks. */
  private static int lineEnd(byte[] a, int i, int to) {
    for (; i <= to - 16; i += 16) {
      if (mayHoldLineEnd((long) LONGS.get(a, i)) || mayHoldLineEnd((long) LONGS.get(a, i + 8))) {
        for (int j = i; j < i + 16; j++) {
          if (isLineEnd(a[j])) {
            return j;
          }
        }
      }
    }
    for (; i < to; i++) {
      if (isLineEnd(a[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Whether a word has a byte from 0x08 to 0x0F, as CR and LF are. */
  private static boolean mayHoldLineEnd(long w) {
    long x = (w | 0x0707070707070707L) ^ 0x0F0F0F0F0F0F0F0FL;
    return ((x - ONES) & ~x & HIGHS) != 0;
  }

  /**
   * Whether the line at {@code i} is an {@code event:} line naming a control event, or as much of
   * one as the chunk holds.
   */
  private static boolean namesControl(ByteBuffer b, int i, int to) {
    int at = i;
    for (byte e : EVENT_FIELD) {
      if (at == to) {
        return true; // cut inside "event:": the name decides in the next chunk's reading
      }
      if (b.get(at++) != e) {
        return false;
      }
    }
    if (at < to && b.get(at) == ' ') {
      at++;
    }
    int nameEnd = at;
    while (nameEnd < to && !isLineEnd(b.get(nameEnd))) {
      nameEnd++;
    }
    boolean cut = nameEnd == to;
    for (byte[] name : CONTROL_EVENTS) {
      if (matches(b, at, nameEnd, name, cut)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the line at {@code i} is {@code event: ping} (or {@code event:ping}), ended within the
   * chunk: a line cut by the chunk's end is not taken for one, so content is never taken for a
   * keep-alive.
   */
  private static boolean namesPing(ByteBuffer b, int i, int to) {
    int at = i;
    for (byte e : EVENT_FIELD) {
      if (at == to || b.get(at++) != e) {
        return false;
      }
    }
    if (at < to && b.get(at) == ' ') {
      at++;
    }
    for (byte p : PING_NAME) {
      if (at == to || b.get(at++) != p) {
        return false;
      }
    }
    return at < to && isLineEnd(b.get(at));
  }

  /** Whether {@code b[at, end)} is {@code name}, or a prefix of it if the line was cut. */
  private static boolean matches(ByteBuffer b, int at, int end, byte[] name, boolean cut) {
    int n = end - at;
    if (cut ? n > name.length : n != name.length) {
      return false;
    }
    for (int k = 0; k < n; k++) {
      if (b.get(at + k) != name[k]) {
        return false;
      }
    }
    return true;
  }

  /** Whether the text before the chunk's final line ends is {@code [DONE]} or a message stop. */
  private static boolean endsWithLastEvent(ByteBuffer b, int from, int to) {
    int end = to - 1;
    while (end > from && isLineEnd(b.get(end - 1))) {
      end--;
    }
    if (end <= from) {
      return false;
    }
    byte last = b.get(end - 1);
    return (last == ']' && endsWith(b, from, end, DONE, 6))
        || (last == '}'
            && endsWith(b, from, end, STOP_TAIL, 8)
            && endsWith(b, from, end - 8, STOP_HEAD, 6));
  }

  /** {@link #endsWith(byte[], int, int, long, int)} on a buffer. */
  private static boolean endsWith(ByteBuffer b, int from, int end, long w, int length) {
    if (end - length < from) {
      return false;
    }
    long rest = w;
    for (int i = end - 1; i >= end - length; i--, rest >>>= 8) {
      if (b.get(i) != (byte) rest) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLineEnd(byte c) {
    return c == '\n' || c == '\r';
  }

  /** Up to eight ASCII characters as a word, the last one in the lowest byte. */
  private static long word(String s) {
    long w = 0;
    for (int i = 0; i < s.length(); i++) {
      w = (w << 8) | (s.charAt(i) & 0xFF);
    }
    return w;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
