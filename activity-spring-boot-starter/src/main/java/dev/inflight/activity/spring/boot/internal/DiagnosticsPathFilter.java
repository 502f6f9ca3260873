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
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Serves the diagnostics documents and the live page under a configurable path by handing the
 * request to the shared {@link DiagnosticsEndpoint}, with the path rewritten to the endpoint's own
 * ({@code <path>/activity} becomes {@code /v1/diagnostics/activity}). Anything else goes down the
 * chain.
 *
 * <p>With a {@link DiagnosticsPort}, the documents are served only to requests that arrived on it;
 * on every other port the diagnostics paths answer 404, and on it every other path does.
 */
public final class DiagnosticsPathFilter implements Filter {

  private final String path;
  private final DiagnosticsEndpoint endpoint;
  private final @Nullable DiagnosticsPort port;

  /**
   * Creates the filter.
   *
   * @param path where the full document is served, e.g. {@code /v1/diagnostics}
   * @param endpoint the shared endpoint
   * @param port the diagnostics listener of its own, or null to serve on every port
   */
  public DiagnosticsPathFilter(
      String path, DiagnosticsEndpoint endpoint, @Nullable DiagnosticsPort port) {
    this.path = path;
    this.endpoint = endpoint;
    this.port = port;
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
    boolean onDiagnosticsPort = port != null && port.isDiagnosticsPort(req.getLocalPort());
    String rest;
    if (inContext.equals(path)) {
      rest = "";
    } else if (inContext.startsWith(path + "/")) {
      rest = inContext.substring(path.length());
    } else if (onDiagnosticsPort) {
      notFound(res);
      return;
    } else {
      chain.doFilter(request, response);
      return;
    }
    if (port != null && !onDiagnosticsPort) {
      notFound(res);
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

  private static void notFound(HttpServletResponse res) throws IOException {
    byte[] body =
        "{\"error\":\"not_found\",\"detail\":\"no such resource\"}"
            .getBytes(StandardCharsets.UTF_8);
    res.setStatus(404);
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setContentLength(body.length);
    res.getOutputStream().write(body);
  }

  @Override
  public String toString() {
    return "DiagnosticsPathFilter[" + path + "]";
  }
}
