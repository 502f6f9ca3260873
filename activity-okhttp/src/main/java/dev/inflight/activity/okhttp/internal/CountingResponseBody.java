package dev.inflight.activity.okhttp.internal;

import dev.inflight.activity.ActivityHandle;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;
import org.jspecify.annotations.Nullable;

/**
 * A response body whose source counts every byte a read delivered as RX, handing the bytes
 * themselves to the handle so that the tracker can tell keep-alive comments and a stream's last
 * event from content. After a close nothing is counted; nothing here ends the handle.
 */
public final class CountingResponseBody extends ResponseBody {

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.okhttp");
  private static final AtomicBoolean FAILURE_LOGGED = new AtomicBoolean();

  private final ResponseBody delegate;
  private final BufferedSource source;

  /**
   * Wraps a body.
   *
   * @param delegate the body OkHttp returned
   * @param handle where to count
   */
  public CountingResponseBody(ResponseBody delegate, ActivityHandle handle) {
    this.delegate = delegate;
    this.source = Okio.buffer(new CountingSource(delegate.source(), handle));
  }

  @Override
  public @Nullable MediaType contentType() {
    return delegate.contentType();
  }

  @Override
  public long contentLength() {
    return delegate.contentLength();
  }

  @Override
  public BufferedSource source() {
    return source;
  }

  /**
   * Counts each read as it returns. The bytes a read delivered are the last ones of the sink (okio
   * appends), and they are handed over in place, segment by segment, through a cursor reused for
   * every read: no byte is copied, nothing is allocated per read, the sink is left as it is. A
   * source is read by one thread at a time (okio's sources are not thread-safe), which is also what
   * the handle asks of one stream's chunks.
   */
  private static final class CountingSource extends ForwardingSource {
    private final ActivityHandle handle;
    private final Buffer.UnsafeCursor cursor = new Buffer.UnsafeCursor();
    private volatile boolean closed;

    CountingSource(Source delegate, ActivityHandle handle) {
      super(delegate);
      this.handle = handle;
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
      long n = super.read(sink, byteCount);
      if (n > 0 && !closed) {
        count(sink, n);
      }
      return n;
    }

    private void count(Buffer sink, long n) {
      try (Buffer.UnsafeCursor c = sink.readUnsafe(cursor)) {
        long from = sink.size() - n;
        long counted = 0;
        for (int r = c.seek(from); r > 0 && counted < n; r = c.next()) {
          byte[] data = c.data;
          if (data == null) {
            break;
          }
          handle.addRx(data, c.start, r);
          counted += r;
        }
        if (counted < n) {
          handle.addRx(n - counted); // never taken: a read's bytes are all in the sink
        }
      } catch (RuntimeException e) {
        // the tracker never breaks the proxied request: the read still returns its bytes
        if (FAILURE_LOGGED.compareAndSet(false, true)) {
          LOG.log(System.Logger.Level.WARNING, "Counting received bytes failed", e);
        }
      }
    }

    @Override
    public void close() throws IOException {
      closed = true;
      super.close();
    }
  }
}
