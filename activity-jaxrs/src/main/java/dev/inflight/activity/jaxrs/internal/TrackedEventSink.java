package dev.inflight.activity.jaxrs.internal;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * An SSE sink that ends its request when it is closed, after the container's sink flushed and
 * closed. Some implementations (RESTEasy) complete an SSE response without closing the body stream
 * the filters can see, so this is the one close signal every implementation gives.
 *
 * <p>A sink the container closed first (it saw the client leave) ends the request as
 * client-aborted: a send on it fails, or the application's close finds it closed.
 */
public final class TrackedEventSink implements SseEventSink {
  private final SseEventSink delegate;
  private final RequestActivity activity;
  private final @Nullable Exchange exchange;

  /**
   * Wraps a sink.
   *
   * @param delegate the container's sink
   * @param activity the request's activity
   * @param exchange the request's exchange, if known (bound to the calling thread)
   */
  public TrackedEventSink(
      SseEventSink delegate, RequestActivity activity, @Nullable Exchange exchange) {
    this.delegate = delegate;
    this.activity = activity;
    this.exchange = exchange;
    if (exchange != null) {
      exchange.sinkTracked();
    }
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public CompletionStage<?> send(OutboundSseEvent event) {
    CompletionStage<?> sent;
    try {
      sent = delegate.send(event);
    } catch (RuntimeException e) {
      // a sink the container already closed: the client left
      activity.end(EndReason.CLIENT_ABORTED);
      throw e;
    }
    sent.whenComplete(
        (ignored, failure) -> {
          if (failure != null) {
            activity.end(EndReason.CLIENT_ABORTED);
          }
        });
    return sent;
  }

  @Override
  public void close() {
    boolean closedByContainer = delegate.isClosed();
    if (exchange != null) {
      exchange.sinkClosedByApplication();
    }
    try {
      delegate.close();
    } finally {
      activity.end(closedByContainer ? EndReason.CLIENT_ABORTED : EndReason.COMPLETED);
    }
  }
}
