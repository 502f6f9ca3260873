package dev.inflight.activity.servlet.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * The writer behind the tracked response's {@code getWriter()}: encodes characters into the
 * counting output stream itself, so the bytes counted are the bytes the container sends. Nothing is
 * held back between calls but the high surrogate of a pair split across two writes; unencodable
 * characters and lone surrogates become the charset's replacement ({@code '?'} for most), as the
 * containers' own writers do. Used under the {@link java.io.PrintWriter}'s lock.
 */
final class EncodingWriter extends Writer {

  private final OutputStream out;
  private final CharsetEncoder encoder;
  private final ByteBuffer bytes = ByteBuffer.allocate(2048);
  private final char[] one = new char[1];
  private char highSurrogate;

  EncodingWriter(OutputStream out, Charset charset) {
    this.out = out;
    this.encoder =
        charset
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
  }

  @Override
  public void write(int c) throws IOException {
    one[0] = (char) c;
    encode(CharBuffer.wrap(one), false);
  }

  @Override
  public void write(char[] chars, int off, int len) throws IOException {
    encode(CharBuffer.wrap(chars, off, len), false);
  }

  @Override
  public void write(String s, int off, int len) throws IOException {
    encode(CharBuffer.wrap(s, off, off + len), false);
  }

  private void encode(CharBuffer chars, boolean last) throws IOException {
    CharBuffer in = chars;
    if (highSurrogate != 0) {
      in = CharBuffer.allocate(chars.remaining() + 1).put(highSurrogate).put(chars).flip();
      highSurrogate = 0;
    }
    CoderResult result;
    do {
      result = encoder.encode(in, bytes, last);
      if (result.isOverflow() || bytes.position() > 0) {
        out.write(bytes.array(), 0, bytes.position());
        bytes.clear();
      }
    } while (result.isOverflow());
    if (in.hasRemaining()) {
      highSurrogate = in.get(); // its low surrogate comes with the next write
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /** Ends the text (a dangling high surrogate becomes the replacement) and closes the stream. */
  @Override
  public void close() throws IOException {
    encode(CharBuffer.allocate(0), true);
    encoder.flush(bytes);
    out.write(bytes.array(), 0, bytes.position());
    out.close();
  }
}
