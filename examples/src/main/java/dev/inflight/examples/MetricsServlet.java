package dev.inflight.examples;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.micrometer.ActivityMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: the tracker's numbers as Prometheus text, through the Micrometer binder and
 * a {@link PrometheusMeterRegistry} that this servlet owns and closes on {@link #destroy()}.
 */
final class MetricsServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final transient ActivityMetrics metrics;

  MetricsServlet(ActivityTracker tracker) {
    this.metrics = ActivityMetrics.builder().tracker(tracker).build();
    metrics.bindTo(registry);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
    resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
    resp.setHeader("Cache-Control", "no-store");
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }

  @Override
  public void destroy() {
    metrics.close();
    registry.close();
  }
}
