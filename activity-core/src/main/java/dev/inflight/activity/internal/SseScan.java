package dev.inflight.activity.internal;

import java.nio.ByteBuffer;

/**
 * Reads just enough of a server-sent-event stream's chunks, as they are counted, to tell content
 * from keep-alive comments and to recognise the stream's last event. A chunk is looked at in O(1)
 * (its first and last bytes, and a few bytes before a final line end) unless it begins inside or at
 * a comment line, which keep-alive pings do; only then are its lines walked, up to the first byte
 * of content.
 *
 * <p>The state between chunks is two bits (see {@link #INITIAL}), kept by the caller, one per
 * stream read in order. Lines end at CR or LF (CRLF reads as a line end and an empty line, which
 * changes nothing here); a line that begins with {@code ':'} is a comment; any other non-empty line
 * (a field such as {@code data:} or {@code event:}) is content.
 *
 * <p>Content is never taken for a comment, so a stream that sends content is never marked stalled.
 * The other way round, one approximation keeps every content chunk O(1): a chunk that holds content
 * and ends inside a line leaves that line taken for content, so if the read cut a comment that
 * followed the content, the comment's rest counts as content once (a keep-alive that arrives in the
 * same read as content, and is cut by it, is taken for progress).
 */
final class SseScan {
  /** State: the next byte begins a line. */
  static final int AT_LINE_START = 1;

  /** State: the line under way is a comment. */
  static final int IN_COMMENT = 2;

  /** The state bits. */
  static final int STATE = AT_LINE_START | IN_COMMENT;

  /** Result: the chunk holds at least one byte of a line that is not a comment. */
  static final int CONTENT = 4;

  /**
   * Result: the chunk ends with the stream's last event, {@code [DONE]} or {@code message_stop}.
   */
  static final int TERMINAL = 8;

  /** The state before a stream's first byte. */
  static final int INITIAL = AT_LINE_START;

  private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};

  /** The end of Anthropic's {@code {"type":"message_stop"}}. */
  private static final byte[] MESSAGE_STOP = {
    'm', 'e', 's', 's', 'a', 'g', 'e', '_', 's', 't', 'o', 'p', '"', '}'
  };

  private SseScan() {}

  /**
   * Scans {@code b}'s bytes from {@code from} (inclusive) to {@code to} (exclusive), which are not
   * empty, reading them with absolute gets.
   *
   * @param state the state after the previous chunk ({@link #INITIAL} before the first)
   * @return the state after this chunk, with {@link #CONTENT} and {@link #TERMINAL} as they apply
   */
  static int scan(ByteBuffer b, int from, int to, int state) {
    byte first = b.get(from);
    // the common chunk: one that begins with, or inside, a line of content
    boolean contentFirst =
        !isLineEnd(first)
            && ((state & AT_LINE_START) != 0 ? first != ':' : (state & IN_COMMENT) == 0);
    if (!contentFirst) {
      int walked = walk(b, from, to, state);
      if ((walked & CONTENT) == 0) {
        return walked; // comments and line ends only: the state is exact
      }
    }
    if (isLineEnd(b.get(to - 1))) {
      return endsWithLastEvent(b, from, to)
          ? CONTENT | TERMINAL | AT_LINE_START
          : CONTENT | AT_LINE_START;
    }
    return CONTENT; // ends inside a line, taken for content (see the class comment)
  }

  /**
   * Walks the lines up to the first byte of a line that is not a comment.
   *
   * @return {@link #CONTENT} at such a byte, else the state at the chunk's end
   */
  private static int walk(ByteBuffer b, int from, int to, int state) {
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
        }
        if (!comment) {
          return CONTENT;
        }
      }
    }
    return (atStart ? AT_LINE_START : 0) | (comment ? IN_COMMENT : 0);
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
    return (last == ']' && endsWith(b, from, end, DONE))
        || (last == '}' && endsWith(b, from, end, MESSAGE_STOP));
  }

  private static boolean endsWith(ByteBuffer b, int from, int end, byte[] suffix) {
    int start = end - suffix.length;
    if (start < from) {
      return false;
    }
    for (int i = 0; i < suffix.length; i++) {
      if (b.get(start + i) != suffix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLineEnd(byte c) {
    return c == '\n' || c == '\r';
  }
}
