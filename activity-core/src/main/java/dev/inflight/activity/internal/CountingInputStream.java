package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/** Counts the bytes read (and skipped) as RX. */
public final class CountingInputStream extends InputStream {
  private final InputStream in;
  private final ActivityHandle handle;

  /** Where the last read counted, as {@link CountTarget#now} chose it. */
  private @Nullable ActivityHandle row;

  /** The byte of a one-byte read, handed over as a chunk. */
  private byte @Nullable [] single;

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

  /** Where to count now (see {@link CountTarget}). */
  private ActivityHandle target() {
    ActivityHandle last = row;
    ActivityHandle h = CountTarget.now(handle, last);
    if (h != last) {
      row = h; // only on a change: no store per read
    }
    return h;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      byte[] one = single;
      if (one == null) {
        one = new byte[1];
        single = one;
      }
      one[0] = (byte) b;
      target().addRx(one, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      target().addRx(b, off, n); // the tracker reads what it needs of the chunk in place
    }
    return n;
  }

  /**
   * The wrapped stream's own {@code readNBytes}, counted as one chunk: {@link InputStream}'s would
   * loop over {@link #read(byte[], int, int)} where the wrapped stream may do better (a {@code
   * ByteArrayInputStream} copies at once).
   */
  @Override
  public int readNBytes(byte[] b, int off, int len) throws IOException {
    int n = in.readNBytes(b, off, len);
    if (n > 0) {
      target().addRx(b, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(n);
    if (skipped > 0) {
      target().addRx(skipped);
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
