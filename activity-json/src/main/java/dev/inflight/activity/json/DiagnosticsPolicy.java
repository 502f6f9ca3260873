package dev.inflight.activity.json;

import dev.inflight.activity.DiagnosticsAccess;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who may read rows through a door, and how session ids appear there: the one policy every door
 * that shows rows applies (the diagnostics endpoints and the live page of every adapter, the
 * Actuator endpoint of the Boot starter). No door decides either question on its own.
 *
 * <p>The default, {@link #loopbackOnly()}, is the rule of {@link DiagnosticsAccess} (a direct
 * request from loopback to loopback, with no forwarding header and loopback {@code Host} and {@code
 * Origin}) with full session ids, which only the local machine then sees. An application can
 * replace the rule with its own (an admin token, a role) and choose how ids are shown:
 *
 * <pre>{@code
 * DiagnosticsPolicy policy = DiagnosticsPolicy.loopbackOnly()
 *     .withSessionIds(SessionIdDisplay.HASHED);
 * DiagnosticsServlet servlet = DiagnosticsServlet.builder().policy(policy).build();
 * }</pre>
 *
 * <p>What a policy does not cover, because it never leaves the process on its own: the snapshot
 * API, the recently ended rows and the ended-row listeners give the application the ids as they
 * are; an application that logs or exports them can pass them through {@link #showSessionId}. The
 * metrics carry no session id at all.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DiagnosticsPolicy {

  /** An access rule: whether a request may read rows. */
  @FunctionalInterface
  public interface AccessRule {
    /**
     * Decides one request. It should not throw; a rule that throws refuses the request.
     *
     * @param remoteAddress the peer address the container reports, or null if unknown
     * @param localAddress the address the connection arrived on, or null if unknown
     * @param headers the request headers
     * @return true to serve the request, false to answer 403
     */
    boolean allows(
        @Nullable String remoteAddress,
        @Nullable String localAddress,
        DiagnosticsAccess.Headers headers);
  }

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.json");

  private static final AccessRule LOOPBACK =
      (remote, local, headers) -> DiagnosticsAccess.decide(remote, local, headers).allowed();

  private static final DiagnosticsPolicy LOOPBACK_ONLY =
      new DiagnosticsPolicy(LOOPBACK, SessionIdDisplay.FULL);

  private final AccessRule access;
  private final SessionIdDisplay sessionIds;

  private DiagnosticsPolicy(AccessRule access, SessionIdDisplay sessionIds) {
    this.access = access;
    this.sessionIds = sessionIds;
  }

  /**
   * The default: {@link DiagnosticsAccess}'s loopback rule, full session ids.
   *
   * @return the policy
   */
  public static DiagnosticsPolicy loopbackOnly() {
    return LOOPBACK_ONLY;
  }

  /**
   * This policy with another access rule, which replaces the loopback rule entirely. To keep the
   * loopback rule and add to it, test {@link DiagnosticsAccess#decide} in the rule.
   *
   * @param rule the application's rule
   * @return a new policy
   */
  public DiagnosticsPolicy withAccess(AccessRule rule) {
    return new DiagnosticsPolicy(Objects.requireNonNull(rule, "rule"), sessionIds);
  }

  /**
   * This policy with session ids shown as {@code display}.
   *
   * @param display full, truncated, hashed or hidden
   * @return a new policy
   */
  public DiagnosticsPolicy withSessionIds(SessionIdDisplay display) {
    return new DiagnosticsPolicy(access, Objects.requireNonNull(display, "display"));
  }

  /**
   * Whether a request may read rows. A rule that throws refuses.
   *
   * @param remoteAddress the peer address the container reports, or null if unknown
   * @param localAddress the address the connection arrived on, or null if unknown
   * @param headers the request headers
   * @return true to serve it
   */
  public boolean allows(
      @Nullable String remoteAddress,
      @Nullable String localAddress,
      DiagnosticsAccess.Headers headers) {
    try {
      return access.allows(remoteAddress, localAddress, headers);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "The diagnostics access rule failed; refused", e);
      return false;
    }
  }

  /**
   * How session ids are shown.
   *
   * @return the display
   */
  public SessionIdDisplay sessionIds() {
    return sessionIds;
  }

  /**
   * A session id as this policy shows it, for an application that logs or exports rows itself.
   *
   * @param id the session id
   * @return the id as shown
   */
  public String showSessionId(String id) {
    return sessionIds.show(id);
  }

  @Override
  public String toString() {
    return "DiagnosticsPolicy{access="
        + (access == LOOPBACK ? "loopback" : "application")
        + ", sessionIds="
        + sessionIds
        + "}";
  }
}
