package dev.inflight.activity;

import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The options every tracking adapter (servlet filter, JAX-RS feature, ...) is built with, so that
 * they all look alike: the tracker, then the header that carries the session id.
 *
 * <pre>{@code
 * ActivityFilter filter = ActivityFilter.builder()
 *     .tracker(tracker)                 // default: ActivityTracker.global(), read per request
 *     .sessionHeader("X-Conversation")  // default: X-Session-Id
 *     .build();
 * }</pre>
 *
 * @param <B> the concrete builder, returned by each option for chaining
 * @param <T> what it builds
 */
public abstract class TrackingBuilder<B extends TrackingBuilder<B, T>, T> {

  private @Nullable ActivityTracker tracker;
  private Supplier<ActivityTracker> trackerSupplier = ActivityTracker::global;
  private String sessionHeader = RequestActivity.DEFAULT_SESSION_HEADER;

  /** For subclasses. */
  protected TrackingBuilder() {}

  /**
   * Tracks with this tracker. An adapter built with a tracker that is disabled wraps nothing.
   *
   * @param tracker the tracker
   * @return this builder
   */
  public final B tracker(ActivityTracker tracker) {
    ActivityTracker t = Objects.requireNonNull(tracker, "tracker");
    this.tracker = t;
    this.trackerSupplier = () -> t;
    return self();
  }

  /**
   * Tracks with whatever tracker {@code supplier} returns at each request, e.g. one installed later
   * by a DI container. The default is {@link ActivityTracker#global()}.
   *
   * @param supplier supplies the tracker per request; must not return null
   * @return this builder
   */
  public final B tracker(Supplier<ActivityTracker> supplier) {
    this.trackerSupplier = Objects.requireNonNull(supplier, "supplier");
    this.tracker = null;
    return self();
  }

  /**
   * The request header that carries the session id; the default is {@value
   * RequestActivity#DEFAULT_SESSION_HEADER}.
   *
   * @param name the header name; empty reads none, so each request gets a generated id when it
   *     attaches
   * @return this builder
   */
  public final B sessionHeader(String name) {
    this.sessionHeader = Objects.requireNonNull(name, "name").trim();
    return self();
  }

  /**
   * Builds the adapter.
   *
   * @return the adapter
   */
  public abstract T build();

  /**
   * The tracker given with {@link #tracker(ActivityTracker)}.
   *
   * @return it, or null if the adapter looks the tracker up per request
   */
  protected final @Nullable ActivityTracker fixedTracker() {
    return tracker;
  }

  /**
   * Where the adapter finds the tracker at each request.
   *
   * @return the supplier; with a fixed tracker, one that returns it
   */
  protected final Supplier<ActivityTracker> trackerSupplier() {
    return trackerSupplier;
  }

  /**
   * The session header.
   *
   * @return the header name, or null if the session id is not read from a header
   */
  protected final @Nullable String configuredSessionHeader() {
    return sessionHeader.isEmpty() ? null : sessionHeader;
  }

  @SuppressWarnings("unchecked") // B is this builder's own type, by the class's contract
  private B self() {
    return (B) this;
  }
}
