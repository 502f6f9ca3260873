package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.json.ActivityView;
import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.InstanceView;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet: three demo proxies with demo traffic, scraped every second by a real Prometheus server
 * (Debian's {@code prometheus} package, which the test command installs) on loopback with a
 * generated config and a temporary data directory. While the traffic runs, every query of {@code
 * dashboards/inflight.json} returns data; once it stopped, what Prometheus stored equals the sums
 * of the proxies' own cumulative counters, exactly.
 */
class FleetTest {

  /** How long Prometheus may take to start, scrape and answer; then the test fails. */
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /**
   * What {@code $__rate_interval} stands for: Grafana makes it at least four scrape intervals (1 s
   * here), and a window of five holds enough samples for {@code rate} without waiting long.
   */
  private static final String RATE_INTERVAL = "5s";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path work;

  @Test
  void prometheusSeesExactlyWhatTheProxiesCounted() throws Exception {
    Path prometheus = findPrometheus();
    List<DemoProxy> proxies = new ArrayList<>();
    Process server = null;
    try {
      for (int i = 0; i < 3; i++) {
        proxies.add(DemoProxyTest.startDemo(work, 1, 3, "--enable-activity-tracking"));
      }
      int port = freePort();
      server = startPrometheus(prometheus, proxies, port);
      URI api = URI.create("http://127.0.0.1:" + port);
      awaitUntil("Prometheus is ready", () -> status(api.resolve("/-/ready")) == 200);
      awaitUntil(
          "Prometheus scrapes all three proxies",
          () -> scalar(api, "count(up{job=\"inflight\"} == 1)") == 3);
      for (DemoProxy p : proxies) {
        awaitUntil("demo traffic moves bytes", () -> fleetBytes(List.of(p)) > 0);
      }
      everyDashboardQueryReturnsData(api, proxies);

      for (DemoProxy p : proxies) {
        p.stopTraffic();
      }
      for (DemoProxy p : proxies) {
        awaitUntil("the proxy's rows ended", () -> p.tracker().activeConnections() == 0);
      }
      Map<String, Long> bytesByBackend = bytesByBackend(proxies);
      long ended = ended(proxies);
      assertThat(bytesByBackend).isNotEmpty();
      assertThat(ended).isPositive();

      awaitUntil(
          "Prometheus holds the final counters",
          () ->
              vector(api, "sum by (backend) (inflight_bytes_total)").equals(bytesByBackend)
                  && scalar(api, "sum(inflight_connections_ended_total)") == ended);
      assertThat(vector(api, "sum by (backend) (inflight_bytes_total)")).isEqualTo(bytesByBackend);
      assertThat(scalar(api, "sum(inflight_connections_ended_total)")).isEqualTo(ended);
    } finally {
      if (server != null) {
        server.destroy();
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
          server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      for (DemoProxy p : proxies) {
        p.close();
      }
    }
  }

  /**
   * Resolves the dashboard's variables as Grafana would (each {@code label_values} through the
   * labels API, "All" as a regex of every value), then runs each panel's PromQL until every one
   * gives at least one sample with a number, or fails naming those that gave none.
   */
  private void everyDashboardQueryReturnsData(URI api, List<DemoProxy> proxies) throws Exception {
    JsonNode dashboard = DashboardTest.load();
    Map<String, String> values = new TreeMap<>();
    values.put("__rate_interval", RATE_INTERVAL);
    values.put("__interval", "1s");
    Set<String> backends = bytesByBackend(proxies).keySet();
    for (DashboardTest.LabelValues v : DashboardTest.labelValues(dashboard)) {
      String selector = DashboardTest.substitute(v.selector(), values);
      List<String> found = new ArrayList<>();
      awaitUntil(
          "the dashboard's variable " + v.name() + " has values: " + selector,
          () -> {
            found.clear();
            found.addAll(labelValues(api, v.label(), selector));
            return !found.isEmpty() && (!v.name().equals("backend") || found.containsAll(backends));
          });
      values.put(v.name(), DashboardTest.regexOf(found));
    }

    List<String> exprs =
        DashboardTest.expressions(dashboard).stream()
            .map(e -> DashboardTest.substitute(e, values))
            .collect(Collectors.toList());
    assertThat(exprs).isNotEmpty().allSatisfy(e -> assertThat(e).doesNotContain("$"));
    List<String> empty = new ArrayList<>(exprs);
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!empty.isEmpty() && System.nanoTime() - deadline < 0) {
      List<String> still = new ArrayList<>();
      for (String e : empty) {
        if (!hasNumber(query(api, e))) {
          still.add(e);
        }
      }
      empty.clear();
      empty.addAll(still);
      if (!empty.isEmpty()) {
        Thread.sleep(200); // a bounded poll of another process
      }
    }
    assertThat(empty).as("dashboard queries that gave no sample after %s", DEADLINE).isEmpty();
  }

  /** Whether a result holds a sample whose value is a number (0/0 gives NaN). */
  private static boolean hasNumber(JsonNode result) {
    for (JsonNode sample : result) {
      if (Double.isFinite(sample.path("value").get(1).asDouble(Double.NaN))) {
        return true;
      }
    }
    return false;
  }

  /** A label's values on the series that match a selector, as Grafana's label_values asks. */
  private List<String> labelValues(URI api, String label, String selector)
      throws IOException, InterruptedException {
    URI uri =
        api.resolve(
            "/api/v1/label/"
                + label
                + "/values?match%5B%5D="
                + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("status").asText()).as(selector + ": " + r.body()).isEqualTo("success");
    List<String> found = new ArrayList<>();
    body.path("data").forEach(n -> found.add(n.asText()));
    return found;
  }

  private static Path findPrometheus() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":", -1)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "prometheus");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    Path debian = Path.of("/usr/bin/prometheus");
    assertThat(Files.isExecutable(debian))
        .as(
            "the prometheus server is not installed: install Debian's 'prometheus' package"
                + " (bin/verify does, as root)")
        .isTrue();
    return debian;
  }

  private Process startPrometheus(Path binary, List<DemoProxy> proxies, int port)
      throws IOException {
    String targets =
        proxies.stream()
            .map(p -> "'127.0.0.1:" + p.port() + "'")
            .collect(Collectors.joining(", ", "[", "]"));
    Path config = work.resolve("prometheus.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "  evaluation_interval: 1s",
            "scrape_configs:",
            "  - job_name: inflight",
            "    metrics_path: /metrics",
            "    static_configs:",
            "      - targets: " + targets,
            ""));
    Path data = Files.createDirectories(work.resolve("data"));
    return new ProcessBuilder(
            binary.toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + data,
            "--web.listen-address=127.0.0.1:" + port,
            "--storage.tsdb.retention.time=1h")
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("prometheus.log").toFile())
        .start();
  }

  private long fleetBytes(List<DemoProxy> proxies) throws IOException, InterruptedException {
    return bytesByBackend(proxies).values().stream().mapToLong(Long::longValue).sum();
  }

  /** Sum over the proxies of each backend's cumulative RX + TX, from their diagnostics. */
  private Map<String, Long> bytesByBackend(List<DemoProxy> proxies)
      throws IOException, InterruptedException {
    Map<String, Long> sums = new TreeMap<>();
    for (DemoProxy p : proxies) {
      DiagnosticsDocument doc = DemoProxyTest.diagnostics(http, p);
      for (InstanceView i : doc.instances()) {
        ActivityView a = i.activity();
        if (a != null && a.cumulativeBytesRx() + a.cumulativeBytesTx() > 0) {
          sums.merge(i.name(), a.cumulativeBytesRx() + a.cumulativeBytesTx(), Long::sum);
        }
      }
    }
    return sums;
  }

  private long ended(List<DemoProxy> proxies) throws IOException, InterruptedException {
    long sum = 0;
    for (DemoProxy p : proxies) {
      for (InstanceView i : DemoProxyTest.diagnostics(http, p).instances()) {
        ActivityView a = i.activity();
        sum += a == null ? 0 : a.completedConnections();
      }
    }
    return sum;
  }

  private int status(URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private JsonNode query(URI api, String promql) throws IOException, InterruptedException {
    URI uri =
        api.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("status").asText()).as(promql + ": " + r.body()).isEqualTo("success");
    return body.path("data").path("result");
  }

  /** The value of a query that gives one sample, or -1 when it gives none. */
  private long scalar(URI api, String promql) throws IOException, InterruptedException {
    JsonNode result = query(api, promql);
    return result.isEmpty() ? -1 : Math.round(result.get(0).path("value").get(1).asDouble());
  }

  /** The samples of a query, by their {@code backend} label. */
  private Map<String, Long> vector(URI api, String promql)
      throws IOException, InterruptedException {
    Map<String, Long> values = new TreeMap<>();
    for (JsonNode sample : query(api, promql)) {
      long v = Math.round(sample.path("value").get(1).asDouble());
      if (v > 0) {
        values.put(sample.path("metric").path("backend").asText(), v);
      }
    }
    return values;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A condition that may throw, polled by {@link #awaitUntil}. */
  @FunctionalInterface
  interface Check {
    boolean holds() throws Exception;
  }

  private void awaitUntil(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() - deadline > 0) {
        String log =
            Files.exists(work.resolve("prometheus.log"))
                ? Files.readString(work.resolve("prometheus.log"))
                : "(no log)";
        throw new AssertionError(
            "timed out after " + DEADLINE + " waiting until " + what + "; prometheus log:\n" + log);
      }
      Thread.sleep(200); // a bounded poll of another process
    }
  }
}
