package dev.inflight.activity.jaxrs.internal;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.CompletionStage;

/**
 * An SSE sink that ends its request when it is closed, after the container's sink flushed and
 * closed. Some implementations (RESTEasy) complete an SSE response without closing the body
 * stream the filters can see, so this is the one close signal every implementation gives.
 */
public final class TrackedEventSink implements SseEventSink {
  private final SseEventSink delegate;
  private final RequestActivity activity;

  /**
   * Wraps a sink.
   *
   * @param delegate the container's sink
   * @param activity the request's activity
   */
  public TrackedEventSink(SseEventSink delegate, RequestActivity activity) {
    this.delegate = delegate;
    this.activity = activity;
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public CompletionStage<?> send(OutboundSseEvent event) {
    CompletionStage<?> sent = delegate.send(event);
    sent.whenComplete(
        (ignored, failure) -> {
          if (failure != null) {
            // a failed send means the client left: the sink is closed by the container now
            activity.end(EndReason.CLIENT_ABORTED);
          }
        });
    return sent;
  }

  @Override
  public void close() {
    try {
      delegate.close();
    } finally {
      activity.end(EndReason.COMPLETED);
    }
  }
}
