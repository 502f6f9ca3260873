package dev.inflight.activity.jaxrs;

import org.jspecify.annotations.Nullable;

/**
 * Supplies the peer address of the request that {@link DiagnosticsFilter} is serving, which Jakarta
 * REST does not expose portably. It is called on the thread that runs the resource method, so a
 * supplier backed by the runtime's own request-scoped injection works, e.g. on Jersey with Grizzly:
 *
 * <pre>{@code
 * @Inject jakarta.inject.Provider<org.glassfish.grizzly.http.server.Request> grizzly;
 * DiagnosticsFilter.builder().remoteAddress(() -> grizzly.get().getRemoteAddr()).build();
 * }</pre>
 *
 * <p>On a servlet container use {@link ServletDiagnosticsFilter}, which reads {@code
 * HttpServletRequest.getRemoteAddr()} itself. A null address is refused (fail closed).
 */
@FunctionalInterface
public interface RemoteAddress {

  /**
   * The peer address of the current request, as the container reports it.
   *
   * @return an IP address literal, or null if unknown (the request is then refused)
   */
  @Nullable String remoteAddress();

  /**
   * The address source for deployments that cannot tell: every diagnostics request is refused.
   *
   * @return a source that always answers null
   */
  static RemoteAddress unknown() {
    return () -> null;
  }
}
