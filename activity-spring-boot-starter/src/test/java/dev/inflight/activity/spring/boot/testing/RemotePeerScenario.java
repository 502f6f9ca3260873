package dev.inflight.activity.spring.boot.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A remote peer that claims to be local sees no session id through any door. The proxy listens on
 * every address ({@code server.address=0.0.0.0}) with every Actuator endpoint exposed, once with
 * {@code server.forward-headers-strategy=native} (the container rewrites the peer address from the
 * forwarding headers; Tomcat told to trust every proxy, the worst case) and once with {@code
 * framework} (Spring's forwarded-header filter or transformer rewrites it and strips the headers).
 * While a row with a known session id is open, a client connects to this machine's non-loopback
 * address, sending {@code X-Forwarded-For: 127.0.0.1}, {@code Forwarded: for=127.0.0.1} and {@code
 * Host: localhost}, and reads every door: the diagnostics documents, the live page, and every
 * Actuator endpoint (the heap dump aside). None shows the id; the diagnostics refuse (403). The
 * same reads over loopback show the id, so the check would see a leak.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RemotePeerScenario {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<String> STRATEGIES = List.of("native", "framework");

  /** What a peer sends to pass for a local client, one set of headers per attempt. */
  private static final List<Map<String, String>> CLAIMS =
      List.of(
          Map.of(),
          Map.of("X-Forwarded-For", "127.0.0.1", "Host", "localhost"),
          Map.of("Forwarded", "for=127.0.0.1", "Host", "localhost"),
          Map.of(
              "X-Forwarded-For", "127.0.0.1",
              "Forwarded", "for=127.0.0.1;host=localhost;proto=http",
              "X-Forwarded-Host", "localhost",
              "X-Forwarded-Proto", "http",
              "X-Real-IP", "127.0.0.1",
              "Host", "localhost"));

  private final Map<String, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();

  /**
   * The application to start.
   *
   * @return its configuration class; {@link ProxyApplication} unless overridden
   */
  protected Class<?> application() {
    return ProxyApplication.class;
  }

  /** Starts the proxy once per forward-headers strategy. */
  @BeforeAll
  void startProxies() {
    for (String strategy : STRATEGIES) {
      contexts.put(
          strategy,
          SpringApplication.run(
              application(),
              "--server.port=0",
              "--server.address=0.0.0.0",
              "--spring.main.banner-mode=off",
              "--inflight.activity.enabled=true",
              "--management.endpoints.web.exposure.include=*",
              "--server.forward-headers-strategy=" + strategy,
              "--server.tomcat.remoteip.internal-proxies=.*"));
    }
  }

  /** Stops them. */
  @AfterAll
  void stopProxies() {
    contexts.values().forEach(ConfigurableApplicationContext::close);
  }

  @Test
  void noDoorShowsASessionIdToARemotePeerClaimingToBeLocalWithNativeForwarding() throws Exception {
    noDoorShowsTheSessionId("native");
  }

  @Test
  void noDoorShowsASessionIdToARemotePeerClaimingToBeLocalWithFrameworkForwarding()
      throws Exception {
    noDoorShowsTheSessionId("framework");
  }

  private void noDoorShowsTheSessionId(String strategy) throws Exception {
    ConfigurableApplicationContext context = contexts.get(strategy);
    int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
    InetAddress external = NetworkAddresses.nonLoopbackIpv4();
    String local = "http://127.0.0.1:" + port;
    String remote = "http://" + external.getHostAddress() + ":" + port;
    String session = "s-secret-" + strategy + "-" + UUID.randomUUID();

    Reply reply = Reply.sse(ProxyScenario.events(3, 32)).holdAfter(1);
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      HttpResponse<InputStream> relayed =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create(local + "/v1/chat/completions"))
                  .header("X-Backend-Url", backend.baseUrl())
                  .header("X-Session-Id", session)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
                  .build(),
              BodyHandlers.ofInputStream());
      try (InputStream in = relayed.body()) {
        assertThat(in.readNBytes((int) reply.bytes(1))).hasSize((int) reply.bytes(1));
        ActivityTracker tracker = context.getBean(ActivityTracker.class);
        Await.until(
            "the row of " + session + " open",
            () ->
                tracker.getGlobalSnapshot().backends().stream()
                    .flatMap(b -> b.connections().stream())
                    .anyMatch(c -> c.sessionId().equals(session)));

        // over loopback the diagnostics show the id: the checks below would see a leak
        assertThat(get(local + "/v1/diagnostics", Map.of()).body()).contains(session);

        List<String> diagnostics =
            List.of(
                "/v1/diagnostics",
                "/v1/diagnostics/activity",
                "/v1/diagnostics/ui",
                "/v1/diagnostics/ui/");
        Set<String> doors = new LinkedHashSet<>(diagnostics);
        doors.addAll(actuatorDoors(local));
        assertThat(doors).contains("/actuator/activity", "/actuator/prometheus");
        int reads = 0;
        for (Map<String, String> claim : CLAIMS) {
          for (String door : doors) {
            RawHttp.Answer r = get(remote + door, claim);
            reads++;
            assertThat(r.body()).as("%s %s with %s", strategy, door, claim).doesNotContain(session);
            assertThat(r.headers().toString()).as("headers of " + door).doesNotContain(session);
            if (diagnostics.contains(door)) {
              assertThat(r.status()).as("%s %s with %s", strategy, door, claim).isEqualTo(403);
            }
          }
          RawHttp.Answer actuator = get(remote + "/actuator/activity", claim);
          assertThat(actuator.status()).isEqualTo(200);
          assertThat(actuator.body()).contains("\"session_ids\":\"hidden: set");
        }
        assertThat(reads).isEqualTo(CLAIMS.size() * doors.size());
      } finally {
        backend.release();
      }
    }
  }

  /**
   * Every Actuator endpoint the index links to, without templates, the heap dump aside (a heap dump
   * holds every string of the process, session ids included: protect it as Boot's documentation
   * says), plus each inflight meter under {@code /actuator/metrics}.
   */
  private static List<String> actuatorDoors(String base) throws Exception {
    JsonNode links = MAPPER.readTree(get(base + "/actuator", Map.of()).body()).get("_links");
    List<String> doors = new ArrayList<>();
    links
        .properties()
        .forEach(
            link -> {
              boolean templated = link.getValue().path("templated").asBoolean(false);
              if (!templated && !link.getKey().equals("heapdump")) {
                doors.add(URI.create(link.getValue().get("href").asText()).getPath());
              }
            });
    JsonNode names = MAPPER.readTree(get(base + "/actuator/metrics", Map.of()).body()).get("names");
    names.forEach(
        n -> {
          if (n.asText().startsWith("inflight")) {
            doors.add("/actuator/metrics/" + n.asText());
          }
        });
    return doors;
  }

  private static RawHttp.Answer get(String uri, Map<String, String> headers) {
    try {
      return RawHttp.get(URI.create(uri), headers);
    } catch (java.io.IOException e) {
      throw new AssertionError("GET " + uri + " with " + headers + " failed", e);
    }
  }
}
