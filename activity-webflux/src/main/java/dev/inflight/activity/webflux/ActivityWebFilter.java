package dev.inflight.activity.webflux;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.TrackingBuilder;
import dev.inflight.activity.webflux.internal.TrackedExchange;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Tracks each exchange from its arrival to the end of its response and counts every body byte the
 * application hands to the server for the client ({@code bytes_tx}), buffer by buffer, through
 * {@code writeWith} and {@code writeAndFlushWith}: plain bodies, {@code Flux<ServerSentEvent>}
 * streams, and what a gateway copies from its upstream.
 *
 * <p>The proxy code attaches the request to a backend (or {@link ActivityExchangeFilter} does, on
 * the {@code WebClient} call); a request that never attaches leaves no row. The request ends
 * exactly once, from the signal that ends the filter chain: completion is {@code completed}, a
 * cancellation (the client went away) is {@code client_aborted}, an error is {@code errored} (or
 * {@code client_aborted} when it is the server reporting the lost client, by core's {@link
 * dev.inflight.activity.Failures}); a more severe reason recorded with {@link RequestActivity#fail}
 * wins.
 *
 * <pre>{@code
 * @Bean
 * ActivityWebFilter activityWebFilter(ActivityTracker tracker) {
 *   return ActivityWebFilter.builder().tracker(tracker).build();   // X-Session-Id names the session
 * }
 * }</pre>
 *
 * <p>Where the activity is found: {@link #activity(ServerWebExchange)} (the exchange attribute
 * {@link #ATTRIBUTE}) and {@link #activity(ContextView)} (the Reactor context key {@link
 * #CONTEXT_KEY}, written for everything subscribed under the filter, such as a {@code WebClient}
 * call returned by a controller). There is no thread-local: reactive code hops threads.
 *
 * <p>Behaviour worth knowing:
 *
 * <ol>
 *   <li>When tracking is off the filter calls the chain with the original exchange: no decorator,
 *       no allocation.
 *   <li>It is ordered first ({@link Ordered#HIGHEST_PRECEDENCE}) unless told otherwise, so that it
 *       sees every byte and every way the exchange ends.
 *   <li>The body of a {@code HEAD} response, which the server drops, is not counted.
 *   <li>Tracking never fails the request: internal failures are logged and the request goes on
 *       untracked.
 * </ol>
 */
public final class ActivityWebFilter implements WebFilter, Ordered {

  /** The exchange attribute holding the exchange's {@link RequestActivity}. */
  public static final String ATTRIBUTE = "dev.inflight.activity.RequestActivity";

  /**
   * The Reactor context key under which the filter puts the exchange's {@link RequestActivity}: the
   * class itself.
   */
  public static final Class<RequestActivity> CONTEXT_KEY = RequestActivity.class;

  private final Supplier<ActivityTracker> tracker;
  private final @Nullable String sessionHeader;
  private final int order;

  /** Built once: Spring Framework 7's filter chain asks for it on every request (a checkpoint). */
  private final String description;

  private ActivityWebFilter(
      Supplier<ActivityTracker> tracker, @Nullable String sessionHeader, int order) {
    this.tracker = tracker;
    this.sessionHeader = sessionHeader;
    this.order = order;
    this.description = "ActivityWebFilter{order=" + order + "}";
  }

  /**
   * A builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The exchange's activity, for the proxy code to attach it to its backend.
   *
   * @param exchange the exchange (the server's or any decorator of it)
   * @return the activity the filter started, or {@link RequestActivity#disabled()} when the filter
   *     is not mounted or tracking is off; never null
   */
  public static RequestActivity activity(ServerWebExchange exchange) {
    Object activity = exchange.getAttribute(ATTRIBUTE);
    return activity instanceof RequestActivity
        ? (RequestActivity) activity
        : RequestActivity.disabled();
  }

  /**
   * The activity in a Reactor context, for code that has no exchange at hand (a {@code WebClient}
   * filter, a service called from a handler): {@code Mono.deferContextual(ctx ->
   * ...activity(ctx)...)}.
   *
   * @param context the subscriber's context
   * @return the activity the filter put there, or {@link RequestActivity#disabled()}; never null
   */
  public static RequestActivity activity(ContextView context) {
    Object activity = context.getOrDefault(CONTEXT_KEY, null);
    return activity instanceof RequestActivity
        ? (RequestActivity) activity
        : RequestActivity.disabled();
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ActivityTracker t = tracker.get();
    if (!t.isEnabled() || exchange.getAttribute(ATTRIBUTE) != null) {
      return chain.filter(exchange); // off, or already tracked by another instance of the filter
    }
    return TrackedExchange.filter(t, sessionHeader, ATTRIBUTE, CONTEXT_KEY, exchange, chain);
  }

  /**
   * Where the filter sits in the chain.
   *
   * @return {@link Ordered#HIGHEST_PRECEDENCE} unless the builder set another order
   */
  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public String toString() {
    return description;
  }

  /**
   * Builds an {@link ActivityWebFilter}; see {@link TrackingBuilder} for the options (tracker,
   * default {@link ActivityTracker#global()} read per request; session header, default {@value
   * RequestActivity#DEFAULT_SESSION_HEADER}), plus the filter's order.
   */
  public static final class Builder extends TrackingBuilder<Builder, ActivityWebFilter> {

    private int order = Ordered.HIGHEST_PRECEDENCE;

    private Builder() {}

    /**
     * Where the filter sits among the other {@code WebFilter}s; the default is first.
     *
     * @param order the order, as {@link Ordered} defines it
     * @return this builder
     */
    public Builder order(int order) {
      this.order = order;
      return this;
    }

    /**
     * Builds the filter.
     *
     * @return a new filter
     */
    @Override
    public ActivityWebFilter build() {
      return new ActivityWebFilter(trackerSupplier(), configuredSessionHeader(), order);
    }
  }
}
