package dev.inflight.activity.httpclient5;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.httpclient5.internal.ActivitySource;
import dev.inflight.activity.httpclient5.internal.CountingExecHandler;
import dev.inflight.activity.httpclient5.internal.CountingResponseInterceptor;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.core5.http.HttpResponseInterceptor;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.jspecify.annotations.Nullable;

/**
 * Counts the bytes of each backend response body as RX of the request being proxied, as they
 * arrive, for Apache HttpClient 5's classic and async clients.
 *
 * <pre>{@code
 * ActivityHttpClient5 rx = ActivityHttpClient5.builder().build();
 * CloseableHttpClient classic = HttpClients.custom()
 *     .addResponseInterceptorLast(rx.responseInterceptor()).build();
 * CloseableHttpAsyncClient async = HttpAsyncClients.custom()
 *     .addExecInterceptorFirst(ActivityHttpClient5.NAME, rx.execHandler()).build();
 * }</pre>
 *
 * <p>Where the bytes go: the {@link ActivityHandle} stored in the call's context ({@link #attach}),
 * else the one the activity source returns, by default {@link RequestActivity#current()}, the
 * request the server adapter is dispatching on the calling thread. The classic client runs its
 * interceptors on the calling thread; for the async client, put the activity in the context, as its
 * callbacks run on I/O threads. With no activity, or tracking off, responses are left untouched.
 *
 * <p>What is counted when:
 *
 * <ul>
 *   <li>classic: the body bytes as the caller reads them from the entity's stream (before the
 *       client's transparent decompression). Closing the stream early stops the counting, and the
 *       rest the client drains to reuse the connection is not counted.
 *   <li>async: the body bytes as each chunk reaches the response consumer. A cancelled or failed
 *       exchange stops the counting.
 * </ul>
 *
 * <p>Neither ends the activity: the server adapter does, when the response to the client is
 * finished. Thread-safety: one instance serves every call of any number of clients.
 */
public final class ActivityHttpClient5 {

  /** The name to register the async exec interceptor under: {@value}. */
  public static final String NAME = "inflight-activity";

  /** The context attribute that holds the activity of a call: {@value}. */
  public static final String ATTRIBUTE = "dev.inflight.activity.handle";

  private final ActivitySource source;

  private ActivityHttpClient5(Builder builder) {
    this.source = new ActivitySource(ATTRIBUTE, builder.activity);
  }

  /**
   * A builder, to choose where bytes go when a call's context carries no activity.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Puts the activity to count a call's response into in that call's context; needed for async
   * calls and for calls made on another thread than the request being proxied.
   *
   * @param context the context the call is executed with
   * @param handle the activity (usually the proxied request's {@link RequestActivity})
   */
  public static void attach(HttpContext context, ActivityHandle handle) {
    context.setAttribute(ATTRIBUTE, Objects.requireNonNull(handle, "handle"));
  }

  /**
   * The response interceptor for the classic client ({@code
   * HttpClientBuilder.addResponseInterceptorLast}); it wraps the response entity so that reading it
   * counts.
   *
   * @return the interceptor
   */
  public HttpResponseInterceptor responseInterceptor() {
    return new CountingResponseInterceptor(source);
  }

  /**
   * The exec interceptor for the async client ({@code HttpAsyncClientBuilder
   * .addExecInterceptorFirst(NAME, ...)}); it wraps the response's data consumer so that each chunk
   * counts as it arrives.
   *
   * @return the exec chain handler
   */
  public AsyncExecChainHandler execHandler() {
    return new CountingExecHandler(source);
  }

  /** Options of {@link ActivityHttpClient5}. */
  public static final class Builder {

    private Supplier<? extends @Nullable ActivityHandle> activity = RequestActivity::current;

    private Builder() {}

    /**
     * Where to count a response whose call's context carries no activity, read on the thread that
     * starts the call. The default is {@link RequestActivity#current()}.
     *
     * @param source supplies the activity; may return null or a disabled one to count nothing
     * @return this builder
     */
    public Builder activity(Supplier<? extends @Nullable ActivityHandle> source) {
      this.activity = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Builds the interceptors' factory.
     *
     * @return it
     */
    public ActivityHttpClient5 build() {
      return new ActivityHttpClient5(this);
    }
  }
}
