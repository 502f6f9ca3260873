package dev.inflight.activity.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.spring.boot.testing.ProxyApplication;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How tracking is switched on, for real: each case starts the proxy application in a child JVM with
 * its own environment variables, command line and config file, and asks its diagnostics endpoint
 * whether tracking is on. An explicit {@code inflight.activity.enabled} from any source wins;
 * without one, {@code ENABLE_ACTIVITY_TRACKING} decides; Boot's precedence (command line &gt;
 * environment &gt; {@code application.yml}) holds between the sources of the property.
 */
class EnablementTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @Test
  void theSeedsEnvironmentVariableEnablesTracking() throws Exception {
    assertThat(trackingEnabled(Map.of("ENABLE_ACTIVITY_TRACKING", "yes"))).isTrue();
  }

  @Test
  void anExplicitPropertyWinsOverTheSeedsVariable() throws Exception {
    assertThat(
            trackingEnabled(
                Map.of("ENABLE_ACTIVITY_TRACKING", "true"), "--spring.config.name=yml-disabled"))
        .isFalse();
  }

  @Test
  void theEnvironmentWinsOverTheConfigFile() throws Exception {
    assertThat(
            trackingEnabled(
                Map.of("INFLIGHT_ACTIVITY_ENABLED", "true"), "--spring.config.name=yml-disabled"))
        .isTrue();
  }

  private static boolean trackingEnabled(Map<String, String> env, String... args) throws Exception {
    Process p = start(env, List.of(args));
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String port = CompletableFuture.supplyAsync(() -> portLine(out)).get(90, TimeUnit.SECONDS);
      // keep draining the child's log so it never blocks on a full pipe
      CompletableFuture.runAsync(() -> readAll(out));
      String body =
          CLIENT
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/v1/diagnostics/activity"))
                      .build(),
                  BodyHandlers.ofString())
              .body();
      assertThat(body).containsPattern("\"enabled\":(true|false)");
      return body.contains("\"enabled\":true");
    } finally {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Process start(Map<String, String> env, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1"); // starts in about half the time
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ProxyApplication.class.getName());
    command.add("--server.port=0");
    command.add("--server.address=127.0.0.1");
    command.add("--spring.main.banner-mode=off");
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("INFLIGHT_") || k.startsWith("ENABLE_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private static String portLine(BufferedReader out) {
    try {
      StringBuilder seen = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(ProxyApplication.PORT_LINE)) {
          return line.substring(ProxyApplication.PORT_LINE.length());
        }
        seen.append(line).append('\n');
      }
      throw new AssertionError("the child JVM ended before listening:\n" + seen);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String readAll(BufferedReader in) {
    StringBuilder all = new StringBuilder();
    try {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        all.append(line).append('\n');
      }
    } catch (IOException e) {
      // the child went away
    }
    return all.toString();
  }
}
