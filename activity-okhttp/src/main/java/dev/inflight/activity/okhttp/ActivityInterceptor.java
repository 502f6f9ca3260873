package dev.inflight.activity.okhttp;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.okhttp.internal.CountingResponseBody;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * An OkHttp {@link Interceptor} that counts the bytes of each response body as RX of the request
 * being proxied, as the caller reads them (not when the body is finished), so a streamed answer
 * shows its progress live.
 *
 * <pre>{@code
 * OkHttpClient backend = new OkHttpClient.Builder()
 *     .addNetworkInterceptor(ActivityInterceptor.create())   // counts into RequestActivity.current()
 *     .build();
 * }</pre>
 *
 * <p>Where the bytes go: the {@link ActivityHandle} the OkHttp request carries as a tag ({@link
 * #tag}), else the one the activity source returns on the thread that runs the interceptor, by
 * default {@link RequestActivity#current()}, the request the server adapter is dispatching on this
 * thread. A synchronous {@code call.execute()} runs the interceptors on the caller's thread; an
 * asynchronous {@code call.enqueue(...)} runs them on OkHttp's dispatcher, so tag those requests.
 * With no activity, or tracking off, the response is returned untouched.
 *
 * <p>What is counted: added with {@code addNetworkInterceptor}, the bytes as they came over the
 * wire (still compressed, if the backend compressed them); with {@code addInterceptor}, the bytes
 * the application reads (after OkHttp's transparent decompression). Closing the body early or
 * cancelling the call stops the counting; neither ends the activity, which the server adapter ends
 * when the response to the client is finished.
 *
 * <p>Thread-safety: one instance serves every call of a client.
 */
public final class ActivityInterceptor implements Interceptor {

  private final Supplier<? extends ActivityHandle> activity;

  private ActivityInterceptor(Builder builder) {
    this.activity = builder.activity;
  }

  /**
   * An interceptor counting into the request's tag, else {@link RequestActivity#current()}.
   *
   * @return the interceptor
   */
  public static ActivityInterceptor create() {
    return builder().build();
  }

  /**
   * A builder, to choose where bytes go when a request carries no tag.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Tags an OkHttp request with the activity to count its response into; for calls run on another
   * thread than the request being proxied (e.g. {@code enqueue}).
   *
   * @param request the request being built
   * @param handle the activity (usually the proxied request's {@link RequestActivity})
   * @return {@code request}, for chaining
   */
  public static Request.Builder tag(Request.Builder request, ActivityHandle handle) {
    return request.tag(ActivityHandle.class, Objects.requireNonNull(handle, "handle"));
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    ActivityHandle handle = handleFor(request);
    Response response = chain.proceed(request);
    if (handle == null) {
      return response;
    }
    ResponseBody body = response.body();
    if (body == null) {
      return response;
    }
    return response.newBuilder().body(new CountingResponseBody(body, handle)).build();
  }

  private @Nullable ActivityHandle handleFor(Request request) {
    ActivityHandle tagged = request.tag(ActivityHandle.class);
    ActivityHandle h = tagged != null ? tagged : request.tag(RequestActivity.class);
    if (h == null) {
      h = activity.get();
    }
    // a disabled tracker's handles are never open: nothing is wrapped, nothing allocated
    return h != null && h.isOpen() ? h : null;
  }

  @Override
  public String toString() {
    return "ActivityInterceptor";
  }

  /** Options of an {@link ActivityInterceptor}. */
  public static final class Builder {

    private Supplier<? extends ActivityHandle> activity = RequestActivity::current;

    private Builder() {}

    /**
     * Where to count a response whose request carries no tag, read on the thread that runs the
     * interceptor. The default is {@link RequestActivity#current()}.
     *
     * @param source supplies the activity; may return null or a disabled one to count nothing
     * @return this builder
     */
    public Builder activity(Supplier<? extends @Nullable ActivityHandle> source) {
      this.activity = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Builds the interceptor.
     *
     * @return the interceptor
     */
    public ActivityInterceptor build() {
      return new ActivityInterceptor(this);
    }
  }
}
