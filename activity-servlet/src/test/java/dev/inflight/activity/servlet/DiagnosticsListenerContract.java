package dev.inflight.activity.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.servlet.testing.ServletContainer;
import dev.inflight.activity.servlet.testing.ServletContainer.FilterMount;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.servlet.testing.ServletContainer.Setup;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Diagnostics on a listener of their own: the container has a public listener and a second one on
 * 127.0.0.1, and {@link DiagnosticsServlet.Builder#onlyOnPort} serves every diagnostics path on the
 * second only; on the public port each answers the container's {@code 404}, as if the servlet were
 * not mounted. One server per container, started once for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DiagnosticsListenerContract {

  private static final Duration WAIT = ContainerContract.WAIT;
  private static final List<String> PATHS =
      List.of(
          "/v1/diagnostics",
          "/v1/diagnostics/activity",
          "/v1/diagnostics/ui",
          "/v1/diagnostics/ui/app.js",
          "/v1/diagnostics/ui/app.css",
          "/v1/diagnostics/ui/icon.svg");

  private final AtomicInteger diagnosticsPort = new AtomicInteger(-1);
  private ActivityTracker tracker;
  private ServletContainer.Running running;

  /**
   * The container.
   *
   * @return its starter
   */
  protected abstract ServletContainer container();

  @BeforeAll
  void start() throws Exception {
    tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    running =
        container()
            .start(
                Setup.LOOPBACK.withLoopbackListener(),
                List.of(FilterMount.of(ActivityFilter.builder().tracker(tracker).build(), "/*")),
                List.of(
                    new ServletMount(
                        ContainerContract.servlet((req, res) -> res.getWriter().print("public")),
                        "/*"),
                    new ServletMount(
                        DiagnosticsServlet.builder()
                            .tracker(tracker)
                            .onlyOnPort(diagnosticsPort::get)
                            .build(),
                        "/v1/diagnostics/*"),
                    new ServletMount(
                        DiagnosticsServlet.builder().tracker(tracker).onlyOnPort(() -> -1).build(),
                        "/unbound/*")));
    diagnosticsPort.set(running.loopbackPort());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (running != null) {
        running.close();
      }
    } finally {
      if (tracker != null) {
        tracker.close();
      }
    }
  }

  @Test
  void theDiagnosticsPortServesEveryDiagnosticsPath() throws Exception {
    for (String path : PATHS) {
      HttpResponse<String> r = send(diagnosticsPort.get(), "GET", path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
    }
    assertThat(send(diagnosticsPort.get(), "GET", "/v1/diagnostics").body())
        .contains("\"global_activity\"");
    assertThat(send(diagnosticsPort.get(), "GET", "/v1/diagnostics/ui/").statusCode())
        .isEqualTo(308);
    assertThat(send(diagnosticsPort.get(), "HEAD", "/v1/diagnostics").statusCode()).isEqualTo(200);
  }

  @Test
  void thePublicPortAnswers404ForEveryDiagnosticsPathAsIfNotMounted() throws Exception {
    for (String method : List.of("GET", "HEAD", "POST", "DELETE")) {
      for (String path : PATHS) {
        HttpResponse<String> r = send(running.port(), method, path);
        assertThat(r.statusCode()).as(method + " " + path).isEqualTo(404);
        assertThat(r.body()).as(method + " " + path).doesNotContain("global_activity", "inflight");
        assertThat(r.headers().firstValue("Content-Security-Policy")).isEmpty();
      }
      HttpResponse<String> r = send(running.port(), method, "/v1/diagnostics/ui/");
      assertThat(r.statusCode()).as(method + " /v1/diagnostics/ui/").isEqualTo(404);
      assertThat(r.headers().firstValue("Location")).isEmpty();
    }
    assertThat(send(running.port(), "GET", "/v1/chat").body())
        .as("the public port still serves the application")
        .isEqualTo("public");
  }

  @Test
  void aForwardedRequestIsNeverTakenAsArrivedOnTheDiagnosticsPort() throws Exception {
    for (String header :
        List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Port")) {
      HttpRequest request =
          HttpRequest.newBuilder(uri(diagnosticsPort.get(), "/v1/diagnostics"))
              .header(header, "127.0.0.1")
              .timeout(WAIT)
              .build();
      assertThat(ContainerContract.CLIENT.send(request, BodyHandlers.ofString()).statusCode())
          .as(header)
          .isEqualTo(404);
    }
  }

  @Test
  void untilItsPortIsKnownTheServletAnswers404OnEveryPort() throws Exception {
    for (int port : List.of(running.port(), diagnosticsPort.get())) {
      assertThat(send(port, "GET", "/unbound/v1/diagnostics").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void onlyOnPortRefusesAPortOutOfRange() {
    for (int port : List.of(0, -1, 65536)) {
      assertThatThrownBy(() -> DiagnosticsServlet.builder().onlyOnPort(port))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(String.valueOf(port));
    }
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static HttpResponse<String> send(int port, String method, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(uri(port, path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(WAIT)
            .build();
    return ContainerContract.CLIENT.send(request, BodyHandlers.ofString());
  }
}
