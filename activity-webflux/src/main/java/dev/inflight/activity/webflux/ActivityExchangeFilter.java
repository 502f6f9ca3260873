package dev.inflight.activity.webflux;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.webflux.internal.Glue;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;

/**
 * A {@code WebClient} filter that attaches the request being proxied to the backend it calls and
 * counts the backend's response body as RX, buffer by buffer as it arrives (not when the body is
 * finished), so a streamed answer shows its progress live.
 *
 * <pre>{@code
 * WebClient backend = WebClient.builder()
 *     .baseUrl("http://vllm-1:8000")
 *     .filter(ActivityExchangeFilter.create())   // finds the activity in the Reactor context
 *     .build();
 * }</pre>
 *
 * <p>Where the bytes go: with {@link #create()}, the {@link RequestActivity} that {@link
 * ActivityWebFilter} put in the Reactor context of the subscriber (a controller that returns the
 * {@code WebClient} call's {@code Mono} or {@code Flux} subscribes within it); with {@link
 * #create(RequestActivity)}, the activity given. With no activity, or tracking off, the request and
 * response are passed on untouched.
 *
 * <p>Attaching, as the Jetty proxy servlets do: unless the application attached the request
 * already, it is attached just before the call goes out, by default to a backend named after the
 * target's {@code host:port}, without a model, streaming when the request accepts {@code
 * text/event-stream}; {@link #builder()} changes each of these. A call that fails (no connection, a
 * broken body) records the request as {@code errored}; the request itself is ended by {@link
 * ActivityWebFilter} when the response to the client is finished, never here.
 *
 * <p>Thread-safety: one instance serves every call of a client.
 */
public final class ActivityExchangeFilter implements ExchangeFilterFunction {

  private final @Nullable RequestActivity activity;
  private final Function<ClientRequest, String> backend;
  private final Function<ClientRequest, @Nullable String> model;
  private final Function<ClientRequest, ConnectionType> type;

  private ActivityExchangeFilter(Builder b, @Nullable RequestActivity activity) {
    this.activity = activity;
    this.backend = b.backend;
    this.model = b.model;
    this.type = b.type;
  }

  /**
   * A filter counting into the activity found in the Reactor context, with the default attach.
   *
   * @return the filter
   */
  public static ActivityExchangeFilter create() {
    return builder().build();
  }

  /**
   * A filter counting into {@code activity}, for calls subscribed outside the tracked exchange's
   * Reactor context (e.g. from another pipeline), with the default attach.
   *
   * @param activity the activity of the request being proxied
   * @return the filter
   */
  public static ActivityExchangeFilter create(RequestActivity activity) {
    return builder().build(activity);
  }

  /**
   * A builder, to choose how the request is attached.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
    RequestActivity given = activity;
    if (given != null) {
      return exchange(given, request, next);
    }
    return Mono.deferContextual(
        context -> exchange(ActivityWebFilter.activity(context), request, next));
  }

  private Mono<ClientResponse> exchange(
      RequestActivity a, ClientRequest request, ExchangeFunction next) {
    if (!a.isOpen()) {
      return next.exchange(request); // disabled, or ended: nothing wrapped, nothing allocated
    }
    attach(a, request);
    return next.exchange(request)
        .map(
            response ->
                response
                    .mutate()
                    .body(
                        body ->
                            body.doOnNext(buffer -> Glue.countRx(a, buffer))
                                .doOnError(e -> failed(a)))
                    .build())
        .doOnError(e -> failed(a));
  }

  private void attach(RequestActivity a, ClientRequest request) {
    if (a.isAttached()) {
      return;
    }
    try {
      Glue.attach(a, backend.apply(request), model.apply(request), type.apply(request));
    } catch (RuntimeException e) {
      Glue.failed("Naming the backend of a WebClient request failed", e);
    }
  }

  private static void failed(RequestActivity a) {
    try {
      a.fail(EndReason.ERRORED);
    } catch (RuntimeException e) {
      Glue.failed("Recording a failed backend call failed", e);
    }
  }

  @Override
  public String toString() {
    return activity == null ? "ActivityExchangeFilter" : "ActivityExchangeFilter{" + activity + "}";
  }

  /** Options of an {@link ActivityExchangeFilter}: how a request is attached to its backend. */
  public static final class Builder {
    private Function<ClientRequest, String> backend = request -> Glue.authority(request.url());
    private Function<ClientRequest, @Nullable String> model = request -> null;
    private Function<ClientRequest, ConnectionType> type =
        request -> Glue.typeFromAccept(request.headers());

    private Builder() {}

    /**
     * How to name the backend; the default is the target's {@code host:port}.
     *
     * @param backend from the outgoing request to a non-blank name
     * @return this builder
     */
    public Builder backend(Function<ClientRequest, String> backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * How to find the model; the default is none.
     *
     * @param model from the outgoing request to the model, or null for none
     * @return this builder
     */
    public Builder model(Function<ClientRequest, @Nullable String> model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * How to tell a streaming call; the default is streaming when it accepts {@code
     * text/event-stream}.
     *
     * @param type from the outgoing request to its connection type
     * @return this builder
     */
    public Builder type(Function<ClientRequest, ConnectionType> type) {
      this.type = Objects.requireNonNull(type, "type");
      return this;
    }

    /**
     * Builds a filter counting into the activity found in the Reactor context.
     *
     * @return the filter
     */
    public ActivityExchangeFilter build() {
      return new ActivityExchangeFilter(this, null);
    }

    /**
     * Builds a filter counting into {@code activity}.
     *
     * @param activity the activity of the request being proxied
     * @return the filter
     */
    public ActivityExchangeFilter build(RequestActivity activity) {
      return new ActivityExchangeFilter(this, Objects.requireNonNull(activity, "activity"));
    }
  }
}
