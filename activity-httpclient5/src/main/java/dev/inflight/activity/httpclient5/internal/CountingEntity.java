package dev.inflight.activity.httpclient5.internal;

import dev.inflight.activity.ActivityHandle;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * An entity whose content stream counts the bytes read as RX, until it is closed, handing each
 * read's bytes to the handle in the caller's own array (nothing copied), so that the tracker can
 * tell keep-alive comments and a stream's last event from content.
 */
final class CountingEntity extends HttpEntityWrapper {

  private final ActivityHandle handle;

  CountingEntity(HttpEntity delegate, ActivityHandle handle) {
    super(delegate);
    this.handle = handle;
  }

  @Override
  public InputStream getContent() throws IOException {
    return new CountingStream(super.getContent(), handle);
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    // the wrapped entity would read its own stream, bypassing the count
    try (InputStream in = getContent()) {
      in.transferTo(out);
    }
  }

  private static final class CountingStream extends FilterInputStream {
    private final ActivityHandle handle;

    /** The byte of a single-byte read, handed over like any chunk; one reader at a time. */
    private final byte[] one = new byte[1];

    private volatile boolean closed;

    CountingStream(InputStream in, ActivityHandle handle) {
      super(in);
      this.handle = handle;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && !closed) {
        one[0] = (byte) b;
        ActivitySource.count(handle, one, 0, 1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0 && !closed) {
        ActivitySource.count(handle, b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      if (skipped > 0 && !closed) {
        // skipped bytes were received too, unseen: counted as content
        ActivitySource.count(handle, skipped);
      }
      return skipped;
    }

    @Override
    public void close() throws IOException {
      closed = true; // what the client drains to reuse the connection is not the caller's read
      super.close();
    }
  }
}
