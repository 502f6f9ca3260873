package dev.inflight.activity.spring.boot.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.spring.boot.internal.DiagnosticsPort;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The diagnostics on a listener of their own ({@code inflight.activity.diagnostics.port=0}, a free
 * port on 127.0.0.1), the application on every address: the application's port answers 404 for
 * every diagnostics path, the live page included; the diagnostics port answers them (the loopback
 * rule still applies) and 404 for everything else; nothing listens on it but loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DiagnosticsPortScenario {

  private static final List<String> DIAGNOSTICS =
      List.of("/v1/diagnostics", "/v1/diagnostics/activity", "/v1/diagnostics/ui");

  private ConfigurableApplicationContext context;
  private int publicPort;
  private int diagnosticsPort;

  /**
   * The application to start.
   *
   * @return its configuration class; {@link ProxyApplication} unless overridden
   */
  protected Class<?> application() {
    return ProxyApplication.class;
  }

  /** Starts it. */
  @BeforeAll
  void start() {
    context =
        SpringApplication.run(
            application(),
            "--server.port=0",
            "--server.address=0.0.0.0",
            "--spring.main.banner-mode=off",
            "--inflight.activity.enabled=true",
            "--inflight.activity.diagnostics.port=0",
            "--management.endpoints.web.exposure.include=*");
    publicPort = Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
    diagnosticsPort = context.getBean(DiagnosticsPort.class).port();
    assertThat(diagnosticsPort).isPositive().isNotEqualTo(publicPort);
  }

  /** Stops it. */
  @AfterAll
  void stop() {
    if (context != null) {
      context.close();
    }
  }

  @Test
  @SuppressWarnings("try") // the row is opened for the documents to show it
  void theDiagnosticsAnswerOnTheirOwnPortAndNotOnTheApplications() throws Exception {
    String session = "s-port-" + UUID.randomUUID();
    ActivityTracker tracker = context.getBean(ActivityTracker.class);
    try (ActivityHandle row = tracker.open("openai.1", session, ConnectionType.STREAMING, null)) {
      for (String path : DIAGNOSTICS) {
        RawHttp.Answer onPublic = get("127.0.0.1", publicPort, path, Map.of());
        assertThat(onPublic.status()).as("public " + path).isEqualTo(404);
        assertThat(onPublic.body()).doesNotContain(session);
        RawHttp.Answer onOwn = get("127.0.0.1", diagnosticsPort, path, Map.of());
        assertThat(onOwn.status()).as("diagnostics port " + path).isEqualTo(200);
      }
      assertThat(get("127.0.0.1", publicPort, "/v1/diagnostics/ui/", Map.of()).status())
          .isEqualTo(404);
      assertThat(get("127.0.0.1", diagnosticsPort, "/v1/diagnostics", Map.of()).body())
          .contains(session);
      assertThat(
              get("127.0.0.1", diagnosticsPort, "/v1/diagnostics/ui", Map.of())
                  .headers()
                  .get("content-security-policy"))
          .isNotBlank();
      // the application's port still serves the application
      assertThat(get("127.0.0.1", publicPort, "/actuator/health", Map.of()).status())
          .isEqualTo(200);
    }
  }

  @Test
  void theDiagnosticsPortServesNothingElse() throws Exception {
    assertThat(get("127.0.0.1", diagnosticsPort, "/actuator/health", Map.of()).status())
        .isEqualTo(404);
    assertThat(get("127.0.0.1", diagnosticsPort, "/actuator/activity", Map.of()).status())
        .isEqualTo(404);
    assertThat(get("127.0.0.1", diagnosticsPort, "/", Map.of()).status()).isEqualTo(404);
  }

  @Test
  void theLoopbackRuleStillAppliesOnTheDiagnosticsPort() throws Exception {
    assertThat(
            get(
                    "127.0.0.1",
                    diagnosticsPort,
                    "/v1/diagnostics",
                    Map.of("X-Forwarded-For", "1.2.3.4"))
                .status())
        .isEqualTo(403);
    assertThat(
            get("127.0.0.1", diagnosticsPort, "/v1/diagnostics", Map.of("Host", "evil.example"))
                .status())
        .isEqualTo(403);
  }

  @Test
  void theDiagnosticsPortListensOnLoopbackOnly() throws Exception {
    String external = NetworkAddresses.nonLoopbackIpv4().getHostAddress();
    assertThatThrownBy(() -> get(external, diagnosticsPort, "/v1/diagnostics", Map.of()))
        .isInstanceOf(ConnectException.class);
    // and a remote peer on the application's port finds no diagnostics there
    for (String path : DIAGNOSTICS) {
      assertThat(get(external, publicPort, path, Map.of("X-Forwarded-For", "127.0.0.1")).status())
          .as(path)
          .isEqualTo(404);
    }
  }

  @Test
  void theDiagnosticsPortCannotBeTheApplicationsAndTheErrorNamesBoth() throws Exception {
    int taken;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      taken = probe.getLocalPort();
    }
    int port = taken;
    assertThatThrownBy(
            () ->
                SpringApplication.run(
                        application(),
                        "--server.port=" + port,
                        "--spring.main.banner-mode=off",
                        "--inflight.activity.enabled=true",
                        "--inflight.activity.diagnostics.port=" + port)
                    .close())
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .rootCause()
        .hasMessageContaining("inflight.activity.diagnostics.port (" + port + ")")
        .hasMessageContaining("server.port " + port);
  }

  private static RawHttp.Answer get(String host, int port, String path, Map<String, String> headers)
      throws IOException {
    return RawHttp.get(URI.create("http://" + host + ":" + port + path), headers);
  }
}
