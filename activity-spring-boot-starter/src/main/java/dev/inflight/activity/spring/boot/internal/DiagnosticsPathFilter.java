package dev.inflight.activity.spring.boot.internal;

import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsResponse;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Serves the diagnostics documents and the live page under a configurable path by handing the
 * request to the shared {@link DiagnosticsEndpoint}, with the path rewritten to the endpoint's own
 * ({@code <path>/activity} becomes {@code /v1/diagnostics/activity}). Anything else goes down the
 * chain.
 */
public final class DiagnosticsPathFilter implements Filter {

  private final String path;
  private final DiagnosticsEndpoint endpoint;

  /**
   * Creates the filter.
   *
   * @param path where the full document is served, e.g. {@code /v1/diagnostics}
   * @param endpoint the shared endpoint
   */
  public DiagnosticsPathFilter(String path, DiagnosticsEndpoint endpoint) {
    this.path = path;
    this.endpoint = endpoint;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest req)
        || !(response instanceof HttpServletResponse res)) {
      chain.doFilter(request, response);
      return;
    }
    String inContext = req.getRequestURI().substring(req.getContextPath().length());
    String rest;
    if (inContext.equals(path)) {
      rest = "";
    } else if (inContext.startsWith(path + "/")) {
      rest = inContext.substring(path.length());
    } else {
      chain.doFilter(request, response);
      return;
    }
    DiagnosticsResponse r =
        endpoint.handle(
            req.getMethod(),
            DiagnosticsEndpoint.DIAGNOSTICS_PATH + rest,
            req.getRemoteAddr(),
            req.getLocalAddr(),
            req::getHeader);
    res.setStatus(r.status());
    r.headers().forEach(res::setHeader);
    res.setContentLength(r.body().length);
    if (!"HEAD".equals(req.getMethod())) {
      res.getOutputStream().write(r.body());
    }
  }

  @Override
  public String toString() {
    return "DiagnosticsPathFilter[" + path + "]";
  }
}
