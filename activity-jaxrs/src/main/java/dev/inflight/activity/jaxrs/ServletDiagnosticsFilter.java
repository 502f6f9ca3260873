package dev.inflight.activity.jaxrs;

import dev.inflight.activity.jaxrs.internal.DiagnosticsResponses;
import dev.inflight.activity.json.DiagnosticsBuilder;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import org.jspecify.annotations.Nullable;

/**
 * The diagnostics filter for applications on a servlet container (Jersey's {@code
 * ServletContainer}, RESTEasy's servlet dispatchers, Undertow, ...): the remote address is {@code
 * HttpServletRequest.getRemoteAddr()} and the local address {@code getLocalAddr()}, so a request
 * that arrived on a non-loopback address is refused even when a forwarded-header rewrite (a
 * container valve, a servlet filter) made its remote address look like loopback and removed the
 * headers. Same JSON, same policy as {@link DiagnosticsFilter}. Needs the servlet API at run time,
 * which a servlet container always has.
 *
 * <pre>{@code
 * resourceConfig.register(ServletDiagnosticsFilter.builder().tracker(tracker).build());
 * }</pre>
 *
 * <p>Register an instance (a singleton): it is thread-safe. The runtime injects a proxy to the
 * current {@code HttpServletRequest} into it (a {@code @Context} field, which both Jersey and
 * RESTEasy support on singletons); on the module path that needs the package opened to the runtime,
 * which this module's {@code module-info} does.
 */
@Provider
@PreMatching
public final class ServletDiagnosticsFilter implements ContainerRequestFilter {

  @Context private @Nullable HttpServletRequest request;
  private final DiagnosticsEndpoint endpoint;

  private ServletDiagnosticsFilter(DiagnosticsEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * Starts a builder.
   *
   * @return a builder with the defaults of {@link DiagnosticsBuilder}
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void filter(ContainerRequestContext context) {
    DiagnosticsResponses.filter(endpoint, context, this::remoteAddress, this::localAddress);
  }

  private @Nullable String remoteAddress() {
    HttpServletRequest current = request;
    return current == null ? null : current.getRemoteAddr();
  }

  private @Nullable String localAddress() {
    HttpServletRequest current = request;
    return current == null ? null : current.getLocalAddr();
  }

  /** Builds a {@link ServletDiagnosticsFilter}. */
  public static final class Builder extends DiagnosticsBuilder<Builder, ServletDiagnosticsFilter> {
    private Builder() {}

    /**
     * Builds the filter.
     *
     * @return the filter
     */
    @Override
    public ServletDiagnosticsFilter build() {
      return new ServletDiagnosticsFilter(endpoint());
    }
  }
}
