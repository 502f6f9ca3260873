package dev.inflight.activity.servlet.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Counts how many bytes the characters written to a response writer become in the response's
 * charset, the way the container's encoder turns them into bytes: without keeping those bytes.
 *
 * <p>UTF-8 is computed from the characters (a surrogate pair split across two writes still counts
 * 4); single-byte charsets count one byte a character; any other charset runs a real encoder into a
 * small scratch buffer. Unencodable characters count as their one-byte replacement, as containers
 * write {@code '?'}.
 *
 * <p>Not thread-safe: one instance per writer, used under the writer's lock.
 */
final class EncodedLength {

  private static final int UTF_8 = 0;
  private static final int ONE_BYTE = 1;
  private static final int ENCODER = 2;

  private final int kind;
  private final @Nullable CharsetEncoder encoder;
  private final @Nullable ByteBuffer scratch;
  private boolean pendingHighSurrogate;
  private @Nullable CharBuffer leftover;

  private EncodedLength(int kind, @Nullable CharsetEncoder encoder) {
    this.kind = kind;
    this.encoder = encoder;
    this.scratch = encoder == null ? null : ByteBuffer.allocate(512);
  }

  /**
   * A counter for the named charset.
   *
   * @param charsetName the response's character encoding, or null for the Servlet default
   *     ISO-8859-1
   * @return a new counter
   */
  static EncodedLength forCharset(@Nullable String charsetName) {
    Charset charset;
    try {
      charset = charsetName == null ? StandardCharsets.ISO_8859_1 : Charset.forName(charsetName);
    } catch (IllegalArgumentException e) {
      charset = StandardCharsets.ISO_8859_1; // the container would have refused it already
    }
    if (charset.equals(StandardCharsets.UTF_8)) {
      return new EncodedLength(UTF_8, null);
    }
    if (charset.equals(StandardCharsets.ISO_8859_1) || charset.equals(StandardCharsets.US_ASCII)) {
      return new EncodedLength(ONE_BYTE, null);
    }
    if (!charset.canEncode()) {
      return new EncodedLength(ONE_BYTE, null);
    }
    CharsetEncoder encoder =
        charset
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    return new EncodedLength(ENCODER, encoder);
  }

  /** Bytes for one character. */
  long of(int c) {
    switch (kind) {
      case UTF_8:
        return utf8((char) c);
      case ONE_BYTE:
        return 1;
      default:
        return encode(CharBuffer.wrap(new char[] {(char) c}));
    }
  }

  /** Bytes for {@code len} characters of {@code chars} from {@code off}. */
  long of(char[] chars, int off, int len) {
    switch (kind) {
      case UTF_8:
        long n = 0;
        for (int i = off, end = off + len; i < end; i++) {
          n += utf8(chars[i]);
        }
        return n;
      case ONE_BYTE:
        return len;
      default:
        return encode(CharBuffer.wrap(chars, off, len));
    }
  }

  /** Bytes for {@code len} characters of {@code s} from {@code off}. */
  long of(String s, int off, int len) {
    switch (kind) {
      case UTF_8:
        long n = 0;
        for (int i = off, end = off + len; i < end; i++) {
          n += utf8(s.charAt(i));
        }
        return n;
      case ONE_BYTE:
        return len;
      default:
        return encode(CharBuffer.wrap(s, off, off + len));
    }
  }

  private long utf8(char c) {
    long extra = 0;
    if (pendingHighSurrogate) {
      pendingHighSurrogate = false;
      if (Character.isLowSurrogate(c)) {
        return 4;
      }
      extra = 1; // the lone high surrogate became '?'
    }
    if (c < 0x80) {
      return extra + 1;
    }
    if (c < 0x800) {
      return extra + 2;
    }
    if (Character.isHighSurrogate(c)) {
      pendingHighSurrogate = true;
      return extra;
    }
    if (Character.isLowSurrogate(c)) {
      return extra + 1;
    }
    return extra + 3;
  }

  private long encode(CharBuffer chars) {
    CharsetEncoder e = encoder;
    ByteBuffer out = scratch;
    if (e == null || out == null) {
      return chars.remaining();
    }
    CharBuffer in = chars;
    CharBuffer before = leftover;
    if (before != null) {
      in = CharBuffer.allocate(before.remaining() + chars.remaining()).put(before).put(chars);
      in.flip();
      leftover = null;
    }
    long n = 0;
    while (true) {
      boolean underflow = e.encode(in, out, false).isUnderflow();
      n += out.position();
      out.clear();
      if (underflow) {
        break;
      }
    }
    if (in.hasRemaining()) {
      // a high surrogate whose pair comes with the next write, as in the container's encoder
      leftover = CharBuffer.allocate(in.remaining()).put(in).flip();
    }
    return n;
  }
}
