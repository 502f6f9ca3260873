package dev.inflight.activity.httpclient5.internal;

import dev.inflight.activity.ActivityHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.jspecify.annotations.Nullable;

/**
 * The async client's exec interceptor: finds the call's activity when the call starts and wraps the
 * response's data consumer so that each chunk counts as RX when it reaches it.
 */
public final class CountingExecHandler implements AsyncExecChainHandler {

  private final ActivitySource source;

  /**
   * Creates the handler.
   *
   * @param source where to count
   */
  public CountingExecHandler(ActivitySource source) {
    this.source = source;
  }

  @Override
  public void execute(
      HttpRequest request,
      @Nullable AsyncEntityProducer entityProducer,
      AsyncExecChain.Scope scope,
      AsyncExecChain chain,
      AsyncExecCallback callback)
      throws HttpException, IOException {
    ActivityHandle handle = source.find(scope.clientContext);
    chain.proceed(
        request,
        entityProducer,
        scope,
        handle == null ? callback : new Counting(callback, handle, scope.cancellableDependency));
  }

  private static final class Counting implements AsyncExecCallback {
    private final AsyncExecCallback delegate;
    private final ActivityHandle handle;
    private final CancellableDependency call;

    Counting(AsyncExecCallback delegate, ActivityHandle handle, CancellableDependency call) {
      this.delegate = delegate;
      this.handle = handle;
      this.call = call;
    }

    @Override
    public @Nullable AsyncDataConsumer handleResponse(
        HttpResponse response, @Nullable EntityDetails details) throws HttpException, IOException {
      AsyncDataConsumer consumer = delegate.handleResponse(response, details);
      return consumer == null ? null : new CountingConsumer(consumer, handle, call);
    }

    @Override
    public void handleInformationResponse(HttpResponse response) throws HttpException, IOException {
      delegate.handleInformationResponse(response);
    }

    @Override
    public void completed() {
      delegate.completed();
    }

    @Override
    public void failed(Exception cause) {
      delegate.failed(cause);
    }
  }

  /**
   * Counts what the consumer takes of each chunk, after it took it. Stops at once when the call is
   * cancelled: the client releases the consumer later, on the connection's next I/O event, and
   * chunks already on their way may still reach it in between.
   */
  private static final class CountingConsumer implements AsyncDataConsumer {
    private final AsyncDataConsumer delegate;
    private final ActivityHandle handle;
    private final CancellableDependency call;
    private volatile boolean released;

    CountingConsumer(
        AsyncDataConsumer delegate, ActivityHandle handle, CancellableDependency call) {
      this.delegate = delegate;
      this.handle = handle;
      this.call = call;
    }

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
      delegate.updateCapacity(channel);
    }

    @Override
    public void consume(ByteBuffer src) throws IOException {
      int from = src.position();
      try {
        delegate.consume(src);
      } finally {
        int consumed = src.position() - from;
        if (consumed > 0 && !released && !call.isCancelled()) {
          count(src, from, consumed);
        }
      }
    }

    /**
     * Hands the consumed bytes, still in {@code src} before its position, to the handle in place:
     * by the backing array when there is one (the HTTP/1.1 decoders' buffers), else through a view
     * of the range (one small object, no byte copied); {@code src} is left as it is.
     */
    private void count(ByteBuffer src, int from, int consumed) {
      if (src.hasArray()) {
        ActivitySource.count(handle, src.array(), src.arrayOffset() + from, consumed);
      } else {
        ActivitySource.count(handle, src.slice(from, consumed));
      }
    }

    @Override
    public void streamEnd(@Nullable List<? extends Header> trailers)
        throws HttpException, IOException {
      delegate.streamEnd(trailers);
    }

    @Override
    public void releaseResources() {
      released = true; // a cancelled or failed exchange counts nothing more
      delegate.releaseResources();
    }
  }
}
