package dev.inflight.activity.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real entry point in its own JVM, as a user runs it: stdout is a pipe, so watch mode prints
 * plain frames, and a termination signal ends it with exit code 0.
 */
class InspectActivityProcessTest {

  private HttpServer server;

  @BeforeEach
  void serveADisabledProxysDocument() throws IOException {
    byte[] body =
        DiagnosticsJson.create().diagnostics(ActivityTracker.disabled().getGlobalSnapshot());
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.createContext(
        "/v1/diagnostics",
        exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  @Timeout(60)
  void watchModeInAPipePrintsPlainFramesAndASignalEndsItWithExitCodeZero() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    InspectActivity.class.getName(),
                    "--watch",
                    "--interval",
                    "0.2",
                    "http://127.0.0.1:" + server.getAddress().getPort()))
            .redirectErrorStream(true)
            .start();
    try {
      StringBuilder seen = new StringBuilder();
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      int footers = 0;
      String line;
      // two frames, then stop: reading blocks until the child prints, so no sleeps are needed
      while (footers < 2 && (line = reader.readLine()) != null) {
        seen.append(line).append('\n');
        if (line.startsWith("Refreshing every 0.2s")) {
          footers++;
        }
      }
      assertThat(footers).as("output so far: %s", seen).isEqualTo(2);
      assertThat(seen.toString())
          .contains("Activity tracking is DISABLED")
          .doesNotContain("\u001b");

      p.destroy(); // SIGTERM, handled like Ctrl+C

      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
