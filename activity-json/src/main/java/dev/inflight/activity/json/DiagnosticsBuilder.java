package dev.inflight.activity.json;

import dev.inflight.activity.ActivityTracker;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The options every diagnostics adapter (servlet, JAX-RS, ...) is built with, so that they all look
 * alike: the tracker, how the host describes its backends, and how session ids are shown. Each
 * adapter's builder adds what only it needs and serves requests through the {@link
 * DiagnosticsEndpoint} that {@link #endpoint()} makes.
 *
 * <pre>{@code
 * DiagnosticsServlet servlet = DiagnosticsServlet.builder()
 *     .tracker(tracker)                           // default: ActivityTracker.global(), per request
 *     .backends(directory)                        // default: no descriptions
 *     .sessionIdDisplay(SessionIdDisplay.HASHED)  // default: FULL, as the seed shows them
 *     .build();
 * }</pre>
 *
 * @param <B> the concrete builder, returned by each option for chaining
 * @param <T> what it builds
 */
public abstract class DiagnosticsBuilder<B extends DiagnosticsBuilder<B, T>, T> {

  private Supplier<ActivityTracker> tracker = ActivityTracker::global;
  private BackendDirectory backends = BackendDirectory.none();
  private SessionIdDisplay display = SessionIdDisplay.FULL;

  /** For subclasses. */
  protected DiagnosticsBuilder() {}

  /**
   * Shows this tracker.
   *
   * @param tracker the tracker
   * @return this builder
   */
  public final B tracker(ActivityTracker tracker) {
    ActivityTracker t = Objects.requireNonNull(tracker, "tracker");
    return tracker(() -> t);
  }

  /**
   * Shows whatever tracker {@code supplier} returns at each request; the default is {@link
   * ActivityTracker#global()}.
   *
   * @param supplier supplies the tracker per request; must not return null
   * @return this builder
   */
  public final B tracker(Supplier<ActivityTracker> supplier) {
    this.tracker = Objects.requireNonNull(supplier, "supplier");
    return self();
  }

  /**
   * How the host describes its backends (connector type, models, health); the default describes
   * none, so each backend appears with what the tracker knows.
   *
   * @param backends the host's descriptions
   * @return this builder
   */
  public final B backends(BackendDirectory backends) {
    this.backends = Objects.requireNonNull(backends, "backends");
    return self();
  }

  /**
   * How session ids are shown; the default is {@link SessionIdDisplay#FULL}.
   *
   * @param display full, truncated or hashed
   * @return this builder
   */
  public final B sessionIdDisplay(SessionIdDisplay display) {
    this.display = Objects.requireNonNull(display, "display");
    return self();
  }

  /**
   * Builds the adapter.
   *
   * @return the adapter
   */
  public abstract T build();

  /**
   * The endpoint the adapter serves requests with, made from the options.
   *
   * @return a new endpoint
   */
  protected final DiagnosticsEndpoint endpoint() {
    return DiagnosticsEndpoint.create(tracker, DiagnosticsJson.create(backends, display));
  }

  @SuppressWarnings("unchecked") // B is this builder's own type, by the class's contract
  private B self() {
    return (B) this;
  }
}
