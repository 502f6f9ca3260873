package dev.inflight.activity.json;

import dev.inflight.activity.ActivityTracker;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The options every diagnostics adapter (servlet, JAX-RS, ...) is built with, so that they all look
 * alike: the tracker, how the host describes its backends, and the {@link DiagnosticsPolicy} (who
 * may read, how session ids are shown). Each adapter's builder adds what only it needs and serves
 * requests through the {@link DiagnosticsEndpoint} that {@link #endpoint()} makes.
 *
 * <pre>{@code
 * DiagnosticsServlet servlet = DiagnosticsServlet.builder()
 *     .tracker(tracker)                           // default: ActivityTracker.global(), per request
 *     .backends(directory)                        // default: no descriptions
 *     .sessionIdDisplay(SessionIdDisplay.HASHED)  // default: FULL, as the seed shows them
 *     .policy(DiagnosticsPolicy.loopbackOnly())   // or a policy with the application's own rule
 *     .build();
 * }</pre>
 *
 * @param <B> the concrete builder, returned by each option for chaining
 * @param <T> what it builds
 */
public abstract class DiagnosticsBuilder<B extends DiagnosticsBuilder<B, T>, T> {

  private @Nullable Supplier<ActivityTracker> tracker;
  private @Nullable BackendDirectory backends;
  private @Nullable SessionIdDisplay display;
  private @Nullable DiagnosticsPolicy policy;

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
   * How session ids are shown; the default is {@link SessionIdDisplay#FULL}. Overrides the display
   * of a {@link #policy} set before or after.
   *
   * @param display full, truncated, hashed or hidden
   * @return this builder
   */
  public final B sessionIdDisplay(SessionIdDisplay display) {
    this.display = Objects.requireNonNull(display, "display");
    return self();
  }

  /**
   * Who may read and how session ids are shown; the default is {@link
   * DiagnosticsPolicy#loopbackOnly()}.
   *
   * @param policy the policy
   * @return this builder
   */
  public final B policy(DiagnosticsPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
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
    Supplier<ActivityTracker> t = tracker;
    BackendDirectory b = backends;
    return DiagnosticsEndpoint.create(
        t != null ? t : ActivityTracker::global,
        DiagnosticsJson.create(b != null ? b : BackendDirectory.none(), SessionIdDisplay.FULL),
        resolvedPolicy());
  }

  /**
   * The policy the adapter applies: the one set, with the session id display set, if any.
   *
   * @return the policy
   */
  protected final DiagnosticsPolicy resolvedPolicy() {
    DiagnosticsPolicy p = policy != null ? policy : DiagnosticsPolicy.loopbackOnly();
    SessionIdDisplay d = display;
    return d != null ? p.withSessionIds(d) : p;
  }

  /**
   * The tracker supplier that was set, for adapters with other sources of configuration (a
   * servlet's context attributes and init-params), which they consult only for what was not set.
   *
   * @return the supplier, or null if none was set
   */
  protected final @Nullable Supplier<ActivityTracker> givenTracker() {
    return tracker;
  }

  /**
   * The backend descriptions that were set.
   *
   * @return the directory, or null if none was set
   */
  protected final @Nullable BackendDirectory givenBackends() {
    return backends;
  }

  /**
   * The session id display that was set.
   *
   * @return the display, or null if none was set
   */
  protected final @Nullable SessionIdDisplay givenSessionIdDisplay() {
    return display;
  }

  /**
   * The policy that was set.
   *
   * @return the policy, or null if none was set
   */
  protected final @Nullable DiagnosticsPolicy givenPolicy() {
    return policy;
  }

  @SuppressWarnings("unchecked") // B is this builder's own type, by the class's contract
  private B self() {
    return (B) this;
  }
}
