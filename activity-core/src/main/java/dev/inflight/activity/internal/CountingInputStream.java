package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import java.io.IOException;
import java.io.InputStream;

/** Counts the bytes read (and skipped) as RX. */
public final class CountingInputStream extends InputStream {
  private final InputStream in;
  private final ActivityHandle handle;

  /**
   * Wraps a stream.
   *
   * @param in the stream to read
   * @param handle where to count
   */
  public CountingInputStream(InputStream in, ActivityHandle handle) {
    this.in = in;
    this.handle = handle;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      handle.addRx(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      handle.addRx(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(n);
    if (skipped > 0) {
      handle.addRx(skipped);
    }
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  @Override
  public boolean markSupported() {
    return false; // a reset would re-read, and so re-count, bytes
  }
}
