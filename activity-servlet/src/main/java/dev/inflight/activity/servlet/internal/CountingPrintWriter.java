package dev.inflight.activity.servlet.internal;

import java.io.PrintWriter;

/**
 * The container's writer, counting the encoded bytes of every character written through it. Every
 * {@code print}, {@code printf}, {@code append} and {@code println} of {@link PrintWriter} ends in
 * one of the methods overridden here, each of which hands the characters to the container's writer
 * unchanged. {@code flush()} reaches the container at once.
 */
final class CountingPrintWriter extends PrintWriter {

  private final PrintWriter writer;
  private final EncodedLength length;
  private final TrackedExchange exchange;
  private final String lineSeparator = System.lineSeparator();

  CountingPrintWriter(PrintWriter writer, EncodedLength length, TrackedExchange exchange) {
    super(writer, false);
    this.writer = writer;
    this.length = length;
    this.exchange = exchange;
  }

  boolean wraps(PrintWriter container) {
    return writer == container;
  }

  @Override
  public void write(int c) {
    long n;
    synchronized (lock) {
      writer.write(c);
      n = length.of(c);
    }
    exchange.sent(n);
  }

  @Override
  public void write(char[] buf, int off, int len) {
    long n;
    synchronized (lock) {
      writer.write(buf, off, len);
      n = length.of(buf, off, len);
    }
    exchange.sent(n);
  }

  @Override
  public void write(char[] buf) {
    write(buf, 0, buf.length);
  }

  @Override
  public void write(String s, int off, int len) {
    long n;
    synchronized (lock) {
      writer.write(s, off, len);
      n = length.of(s, off, len);
    }
    exchange.sent(n);
  }

  @Override
  public void write(String s) {
    write(s, 0, s.length());
  }

  @Override
  public void println() {
    long n;
    synchronized (lock) {
      writer.println();
      n = length.of(lineSeparator, 0, lineSeparator.length());
    }
    exchange.sent(n);
  }

  @Override
  public void flush() {
    writer.flush();
  }

  @Override
  public void close() {
    writer.close();
  }

  @Override
  public boolean checkError() {
    return writer.checkError();
  }

  /** Whether the container's writer saw an error (a lost client, since it cannot throw). */
  boolean containerError() {
    return writer.checkError();
  }

  @Override
  public String toString() {
    return "CountingPrintWriter{" + writer + "}";
  }
}
