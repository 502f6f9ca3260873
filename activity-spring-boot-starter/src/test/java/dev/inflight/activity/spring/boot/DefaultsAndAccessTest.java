package dev.inflight.activity.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.spring.boot.testing.NetworkAddresses;
import dev.inflight.activity.spring.boot.testing.ProxyApplication;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Real applications with the starter on the class path: off by default (the proxy works, nothing is
 * tracked, the documents say "disabled", Actuator does not expose {@code activity}); and the
 * diagnostics path moved by a property, refused to a client that reaches the server over a
 * non-loopback address of this machine.
 */
class DefaultsAndAccessTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @Test
  void withoutThePropertyTheProxyWorksAndNothingIsTracked() throws Exception {
    Reply reply = Reply.sse(List.of("data: a\n\n", "data: b\n\n"));
    try (StreamingBackend backend = StreamingBackend.start(body -> reply);
        ConfigurableApplicationContext context =
            SpringApplication.run(
                ProxyApplication.class,
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off")) {
      String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
      HttpResponse<String> proxied =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                  .header("X-Backend-Url", backend.baseUrl())
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              BodyHandlers.ofString());
      assertThat(proxied.statusCode()).isEqualTo(200);
      assertThat(proxied.body()).isEqualTo("data: a\n\ndata: b\n\n");

      assertThat(context.getBean(ActivityTracker.class)).isSameAs(ActivityTracker.disabled());
      assertThat(context.containsBean("inflightActivityFilter")).isFalse();
      String diagnostics = get(base + "/v1/diagnostics").body();
      assertThat(diagnostics).contains("\"activity_tracking_enabled\":false");
      assertThat(get(base + "/v1/diagnostics/activity").body())
          .contains("\"enabled\":false", "\"total_active_connections\":0");
      assertThat(get(base + "/actuator/activity").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void theDiagnosticsPathMovesAndRefusesNonLoopbackClients() throws Exception {
    InetAddress external = NetworkAddresses.nonLoopbackIpv4();
    try (ConfigurableApplicationContext context =
        SpringApplication.run(
            ProxyApplication.class,
            "--server.port=0",
            "--server.address=0.0.0.0",
            "--spring.main.banner-mode=off",
            "--inflight.activity.enabled=true",
            "--inflight.activity.diagnostics.path=/ops/inflight/")) {
      String port = context.getEnvironment().getProperty("local.server.port");
      String loopback = "http://127.0.0.1:" + port;
      HttpResponse<String> full = get(loopback + "/ops/inflight");
      assertThat(full.statusCode()).isEqualTo(200);
      assertThat(full.body()).contains("\"activity_tracking_enabled\":true");
      assertThat(get(loopback + "/ops/inflight/activity").body()).contains("\"enabled\":true");
      assertThat(get(loopback + "/ops/inflight/ui").headers().firstValue("Content-Security-Policy"))
          .isPresent();
      assertThat(get(loopback + "/v1/diagnostics").statusCode()).isEqualTo(404);

      // the same server reached through this machine's own non-loopback address
      String remote = "http://" + external.getHostAddress() + ":" + port;
      HttpResponse<String> refused = get(remote + "/ops/inflight");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).doesNotContain("instances");
      assertThat(get(remote + "/ops/inflight/activity").statusCode()).isEqualTo(403);
    }
  }

  private static HttpResponse<String> get(String uri) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(uri)).build(), BodyHandlers.ofString());
  }
}
