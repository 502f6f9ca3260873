package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import java.io.IOException;
import java.io.OutputStream;

/** Counts the bytes written as TX; counts only after the write returned normally. */
public final class CountingOutputStream extends OutputStream {
  private final OutputStream out;
  private final ActivityHandle handle;

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

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    handle.addTx(1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    if (len > 0) {
      handle.addTx(len);
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
