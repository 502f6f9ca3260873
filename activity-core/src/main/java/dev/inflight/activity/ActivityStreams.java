package dev.inflight.activity;

import dev.inflight.activity.internal.CountingBodySubscriber;
import dev.inflight.activity.internal.CountingInputStream;
import dev.inflight.activity.internal.CountingOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.util.Objects;

/**
 * Wrappers that count the bytes flowing through a stream into an {@link ActivityHandle}.
 *
 * <pre>{@code
 * HttpResponse<InputStream> r = httpClient.send(request,
 *     ActivityStreams.countRx(HttpResponse.BodyHandlers.ofInputStream(), handle));
 * try (InputStream in = r.body(); OutputStream out = ActivityStreams.countTx(clientOut, handle)) {
 *   in.transferTo(out);
 * }
 * }</pre>
 *
 * <p>The wrappers only count: closing a wrapper closes the wrapped stream but does not end the
 * handle. They add the bytes a call really moved (a failing call adds nothing). When the handle is
 * a disabled one they return the original stream or handler, so switched-off tracking costs
 * nothing.
 */
public final class ActivityStreams {

  private ActivityStreams() {}

  /**
   * Counts the bytes read from a backend response body as RX. Skipped bytes count too: they were
   * received.
   *
   * @param in the backend body
   * @param handle where to count
   * @return a counting stream, or {@code in} itself if the handle is the no-op handle
   */
  public static InputStream countRx(InputStream in, ActivityHandle handle) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(handle, "handle");
    return counts(handle) ? new CountingInputStream(in, handle) : in;
  }

  /**
   * Counts the bytes written to the client as TX, each write once it returned normally. {@code
   * flush()} passes straight through, so streamed events are not delayed. When the handle is a
   * {@link RequestActivity}, a write, flush or close that throws is recorded with {@link
   * RequestActivity#clientWriteFailed} (an I/O failure means the client left) and rethrown.
   *
   * @param out the client stream
   * @param handle where to count
   * @return a counting stream, or {@code out} itself if the handle is the no-op handle
   */
  public static OutputStream countTx(OutputStream out, ActivityHandle handle) {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(handle, "handle");
    return counts(handle) ? new CountingOutputStream(out, handle) : out;
  }

  /**
   * Counts every body byte the JDK {@code HttpClient} receives from the backend as RX, as the
   * chunks arrive (before any decoding the wrapped handler does).
   *
   * @param <T> the body type
   * @param delegate the handler that builds the body
   * @param handle where to count
   * @return a counting handler, or {@code delegate} itself if the handle is the no-op handle
   */
  public static <T> HttpResponse.BodyHandler<T> countRx(
      HttpResponse.BodyHandler<T> delegate, ActivityHandle handle) {
    Objects.requireNonNull(delegate, "delegate");
    Objects.requireNonNull(handle, "handle");
    if (!counts(handle)) {
      return delegate;
    }
    return info -> new CountingBodySubscriber<>(delegate.apply(info), handle);
  }

  private static boolean counts(ActivityHandle handle) {
    return handle != ActivityHandle.noop() && handle != RequestActivity.disabled();
  }
}
