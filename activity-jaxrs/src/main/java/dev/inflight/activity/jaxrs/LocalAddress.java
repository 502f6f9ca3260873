package dev.inflight.activity.jaxrs;

import org.jspecify.annotations.Nullable;

/**
 * Supplies the address the current request's connection arrived on (the server side of the socket),
 * for {@link DiagnosticsFilter}. Optional: with it, a request that arrived on a non-loopback
 * address is refused whatever its remote address says, which defeats a forwarded-header rewrite (a
 * front filter that replaces the remote address with the one in {@code X-Forwarded-For} and removes
 * the header) passing a remote peer off as local. Without it only the remote address is checked.
 * Called on the thread that runs the filter, like {@link RemoteAddress}, e.g. on Jersey with
 * Grizzly:
 *
 * <pre>{@code
 * @Inject jakarta.inject.Provider<org.glassfish.grizzly.http.server.Request> grizzly;
 * DiagnosticsFilter.builder()
 *     .remoteAddress(() -> grizzly.get().getRemoteAddr())
 *     .localAddress(() -> grizzly.get().getLocalAddr())
 *     .build();
 * }</pre>
 *
 * <p>{@link ServletDiagnosticsFilter} reads {@code HttpServletRequest.getLocalAddr()} itself.
 */
@FunctionalInterface
public interface LocalAddress {

  /**
   * The address the current request's connection arrived on.
   *
   * @return an IP address literal, or null if unknown (then only the remote address is checked)
   */
  @Nullable String localAddress();
}
