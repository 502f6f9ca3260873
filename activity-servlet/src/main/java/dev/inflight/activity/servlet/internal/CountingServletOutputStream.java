package dev.inflight.activity.servlet.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;

/**
 * The container's output stream, counting the bytes each successful write hands to it. No buffering
 * of its own: {@code flush()} reaches the container at once, and {@code isReady()} and {@code
 * setWriteListener()} are the container's.
 */
final class CountingServletOutputStream extends ServletOutputStream {

  private final ServletOutputStream out;
  private final TrackedExchange exchange;

  CountingServletOutputStream(ServletOutputStream out, TrackedExchange exchange) {
    this.out = out;
    this.exchange = exchange;
  }

  boolean wraps(ServletOutputStream stream) {
    return out == stream;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException e) {
      exchange.clientGone(e);
      throw e;
    }
    exchange.sent(1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      exchange.clientGone(e);
      throw e;
    }
    exchange.sent(len);
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      exchange.clientGone(e);
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (IOException e) {
      exchange.clientGone(e);
      throw e;
    }
  }

  @Override
  public boolean isReady() {
    return out.isReady();
  }

  @Override
  public void setWriteListener(WriteListener listener) {
    out.setWriteListener(new CountingWriteListener(listener, exchange));
  }

  @Override
  public String toString() {
    return "CountingServletOutputStream{" + out + "}";
  }

  /** Passes the container's callbacks on, noting a failed non-blocking write. */
  private static final class CountingWriteListener implements WriteListener {
    private final WriteListener listener;
    private final TrackedExchange exchange;

    CountingWriteListener(WriteListener listener, TrackedExchange exchange) {
      this.listener = listener;
      this.exchange = exchange;
    }

    @Override
    public void onWritePossible() throws IOException {
      listener.onWritePossible();
    }

    @Override
    public void onError(Throwable t) {
      if (t instanceof IOException) {
        exchange.clientGone((IOException) t);
      }
      listener.onError(t);
    }
  }
}
