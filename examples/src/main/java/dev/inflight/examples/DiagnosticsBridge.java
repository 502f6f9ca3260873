package dev.inflight.examples;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.DiagnosticsResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** Serves the diagnostics documents by delegating to the shared {@link DiagnosticsEndpoint}. */
final class DiagnosticsBridge extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final transient DiagnosticsEndpoint endpoint;

  DiagnosticsBridge(ActivityTracker tracker, DiagnosticsJson json) {
    this.endpoint = DiagnosticsEndpoint.create(() -> tracker, json);
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    DiagnosticsResponse r =
        endpoint.handle(req.getMethod(), path, req.getRemoteAddr(), req::getHeader);
    resp.setStatus(r.status());
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      resp.setHeader(h.getKey(), h.getValue());
    }
    resp.setContentLength(r.body().length);
    if (!"HEAD".equals(req.getMethod())) {
      resp.getOutputStream().write(r.body());
    }
  }
}
