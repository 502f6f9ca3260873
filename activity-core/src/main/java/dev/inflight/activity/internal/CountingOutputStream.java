package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.RequestActivity;
import java.io.IOException;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Counts the bytes written as TX, only after the write returned normally. When the handle is a
 * {@link RequestActivity}, a write, flush or close that throws is recorded with {@link
 * RequestActivity#clientWriteFailed} (an I/O failure means the client left) before it is rethrown.
 */
public final class CountingOutputStream extends OutputStream {
  private final OutputStream out;
  private final ActivityHandle handle;

  /** Where the last write counted, as {@link CountTarget#now} chose it. */
  private @Nullable ActivityHandle row;

  /**
   * Wraps a stream.
   *
   * @param out the stream to write to
   * @param handle where to count
   */
  public CountingOutputStream(OutputStream out, ActivityHandle handle) {
    this.out = out;
    this.handle = handle;
  }

  /** Where to count now (see {@link CountTarget}). */
  private ActivityHandle target() {
    ActivityHandle last = row;
    ActivityHandle h = CountTarget.now(handle, last);
    if (h != last) {
      row = h; // only on a change: no store per write
    }
    return h;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException | RuntimeException e) {
      failed(e);
      throw e;
    }
    target().addTx(1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException | RuntimeException e) {
      failed(e);
      throw e;
    }
    if (len > 0) {
      target().addTx(b, off, len); // the bytes too: a streaming row's events are read from them
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException | RuntimeException e) {
      failed(e);
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (IOException | RuntimeException e) {
      failed(e);
      throw e;
    }
  }

  private void failed(Exception failure) {
    if (handle instanceof RequestActivity r) {
      r.clientWriteFailed(failure);
    }
  }
}
