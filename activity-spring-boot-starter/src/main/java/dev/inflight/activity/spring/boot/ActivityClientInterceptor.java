package dev.inflight.activity.spring.boot;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.spring.boot.internal.CountingClientHttpResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A {@code RestClient} / {@code RestTemplate} interceptor that counts each backend response body as
 * RX of the request being proxied, as the caller reads it, so a streamed answer shows its progress
 * live. The auto-configuration adds it to every {@code RestClient.Builder} and {@code
 * RestTemplateBuilder} Boot hands out; add it yourself to a client you build by hand:
 *
 * <pre>{@code
 * RestClient backend = RestClient.builder()
 *     .requestInterceptor(ActivityClientInterceptor.create())
 *     .build();
 * }</pre>
 *
 * <p>Where the bytes go: the activity the server adapter made current on the calling thread ({@link
 * RequestActivity#current()}). If the proxy code has not attached that request to a backend yet,
 * the interceptor attaches it when the backend's response headers arrive: the backend is named
 * after the target's {@code host:port} (see {@link Builder#backendName}), with no model, and the
 * connection is streaming when the response is {@code text/event-stream}. Code that attaches itself
 * (with its own backend name and model) keeps its attachment.
 *
 * <p>With no current request, or tracking off, the response is returned untouched. A failure inside
 * the interceptor's own bookkeeping never fails the call. Thread-safety: one instance serves every
 * call of a client.
 */
public final class ActivityClientInterceptor implements ClientHttpRequestInterceptor {

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.spring.boot");

  private final Supplier<RequestActivity> activity;
  private final boolean attach;
  private final Function<HttpRequest, String> backendName;

  private ActivityClientInterceptor(Builder b) {
    this.activity = b.activity;
    this.attach = b.attach;
    this.backendName = b.backendName;
  }

  /**
   * An interceptor with the defaults: counts into {@link RequestActivity#current()} and attaches an
   * unattached request to the target's {@code host:port}.
   *
   * @return the interceptor
   */
  public static ActivityClientInterceptor create() {
    return builder().build();
  }

  /**
   * A builder, to change where bytes go or how the backend is named.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ClientHttpResponse intercept(
      HttpRequest request, byte[] body, ClientHttpRequestExecution execution) throws IOException {
    RequestActivity a = activity.get();
    if (!a.isOpen()) {
      return execution.execute(request, body);
    }
    ClientHttpResponse response = execution.execute(request, body);
    try {
      if (attach && !a.isAttached()) {
        a.attach(backendName.apply(request), null, typeOf(response.getHeaders()));
      }
      return new CountingClientHttpResponse(response, a);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "Could not track a backend response; not counted", e);
      return response;
    }
  }

  private static ConnectionType typeOf(HttpHeaders headers) {
    MediaType type = headers.getContentType();
    return type != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type)
        ? ConnectionType.STREAMING
        : ConnectionType.NON_STREAMING;
  }

  /**
   * The default backend name: the target's {@code host:port}, with the scheme's default port when
   * the URI has none.
   *
   * @param request the backend request
   * @return the name
   */
  static String authority(HttpRequest request) {
    URI uri = request.getURI();
    int port = uri.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
    String host = uri.getHost();
    return (host == null ? "unknown" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return "ActivityClientInterceptor";
  }

  /** Options of an {@link ActivityClientInterceptor}. */
  public static final class Builder {
    private Supplier<RequestActivity> activity = RequestActivity::current;
    private boolean attach = true;
    private Function<HttpRequest, String> backendName = ActivityClientInterceptor::authority;

    private Builder() {}

    /**
     * Where to count, read on the thread that runs the call. The default is {@link
     * RequestActivity#current()}.
     *
     * @param source supplies the activity; {@link RequestActivity#disabled()} to count nothing
     * @return this builder
     */
    public Builder activity(Supplier<RequestActivity> source) {
      this.activity = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Whether a request the proxy code has not attached is attached when the backend answers. On by
     * default.
     *
     * @param attach the flag
     * @return this builder
     */
    public Builder attach(boolean attach) {
      this.attach = attach;
      return this;
    }

    /**
     * How an attached backend is named; the default is the target's {@code host:port}.
     *
     * @param name from the backend request to a non-blank name
     * @return this builder
     */
    public Builder backendName(Function<HttpRequest, String> name) {
      this.backendName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Builds the interceptor.
     *
     * @return the interceptor
     */
    public ActivityClientInterceptor build() {
      return new ActivityClientInterceptor(this);
    }
  }
}
