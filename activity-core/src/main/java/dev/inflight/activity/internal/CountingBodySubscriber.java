package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityHandle;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Counts each chunk the JDK HttpClient delivers as RX, then hands it to the wrapped subscriber.
 *
 * @param <T> the body type
 */
public final class CountingBodySubscriber<T> implements HttpResponse.BodySubscriber<T> {
  private final HttpResponse.BodySubscriber<T> delegate;
  private final ActivityHandle handle;

  /**
   * Wraps a subscriber.
   *
   * @param delegate the subscriber that builds the body
   * @param handle where to count
   */
  public CountingBodySubscriber(HttpResponse.BodySubscriber<T> delegate, ActivityHandle handle) {
    this.delegate = delegate;
    this.handle = handle;
  }

  @Override
  public CompletionStage<T> getBody() {
    return delegate.getBody();
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    delegate.onSubscribe(subscription);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    // each buffer as a chunk, read in place before the delegate consumes it
    for (int i = 0, size = item.size(); i < size; i++) {
      ByteBuffer b = item.get(i);
      if (b.hasRemaining()) {
        handle.addRx(b);
      }
    }
    delegate.onNext(item);
  }

  @Override
  public void onError(Throwable throwable) {
    delegate.onError(throwable);
  }

  @Override
  public void onComplete() {
    delegate.onComplete();
  }
}
