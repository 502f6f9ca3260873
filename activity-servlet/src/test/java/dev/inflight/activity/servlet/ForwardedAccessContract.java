package dev.inflight.activity.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.DiagnosticsAccess;
import dev.inflight.activity.json.DiagnosticsPolicy;
import dev.inflight.activity.servlet.testing.NetworkAddresses;
import dev.inflight.activity.servlet.testing.ServletContainer;
import dev.inflight.activity.servlet.testing.ServletContainer.FilterMount;
import dev.inflight.activity.servlet.testing.ServletContainer.Forwarding;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.servlet.testing.ServletContainer.Setup;
import dev.inflight.activity.testing.Await;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A container set up behind a reverse proxy (it believes forwarding headers), listening on every
 * address, and a peer that is not loopback: the machine's own non-loopback address, sending {@code
 * X-Forwarded-For: 127.0.0.1} and its kin and {@code Host: localhost}, as if it were the proxy
 * vouching for a local client. While a row with a known session id is open, every diagnostics path
 * refuses that peer and no body it gets carries the id; a loopback client of the same server is
 * still served, so the test would see a refusal for every client as a failure.
 *
 * <p>One server per set-up, started once for the class, with the row held open throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ForwardedAccessContract {

  private static final Duration WAIT = ContainerContract.WAIT;
  private static final Pattern PAGE_FILE = Pattern.compile("(?:src|href)=\"(ui/[^\"]+)\"");

  /** Unguessable, so that finding it in a body can only mean the row leaked. */
  private final String session = "secret-" + UUID.randomUUID();

  private final CountDownLatch attached = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger loopbackPort = new AtomicInteger(-1);
  private ActivityTracker tracker;
  private ServletContainer.Running running;
  private CompletableFuture<HttpResponse<byte[]>> held;
  private String peer;
  private List<String> paths;

  /**
   * The container.
   *
   * @return its starter
   */
  protected abstract ServletContainer container();

  /**
   * How the container believes forwarding headers.
   *
   * @return the set-up
   */
  protected abstract Forwarding forwarding();

  /**
   * Whether this set-up reports the peer's {@code X-Forwarded-For: 127.0.0.1} as the remote address
   * (it believes the peer).
   *
   * @param peer the peer's own address
   * @return true if the remote address is rewritten
   */
  protected abstract boolean rewritesRemoteAddress(String peer);

  /**
   * Whether this set-up also removes the forwarding header it believed, so that a rule judging the
   * remote address and the headers alone (without the local address) would let the peer in.
   *
   * @param peer the peer's own address
   * @return true if only the local address rule stops the peer
   */
  protected abstract boolean hidesTheForwardingHeader(String peer);

  @BeforeAll
  void start() throws Exception {
    peer = NetworkAddresses.nonLoopbackIpv4();
    tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    DiagnosticsPolicy remoteRuleOnly =
        DiagnosticsPolicy.loopbackOnly()
            .withAccess((remote, local, h) -> DiagnosticsAccess.decide(remote, null, h).allowed());
    running =
        container()
            .start(
                new Setup("0.0.0.0", forwarding(), true),
                List.of(FilterMount.of(ActivityFilter.builder().tracker(tracker).build(), "/*")),
                List.of(
                    new ServletMount(
                        ContainerContract.servlet(
                            (req, res) -> {
                              ContainerContract.attach(req);
                              res.getOutputStream().write("held".getBytes(UTF_8));
                              res.flushBuffer();
                              attached.countDown();
                              Await.await(release);
                            }),
                        "/held"),
                    new ServletMount(
                        ContainerContract.servlet(
                            (req, res) ->
                                res.getWriter()
                                    .print(
                                        req.getRemoteAddr()
                                            + " "
                                            + req.getLocalAddr()
                                            + " "
                                            + req.getLocalPort())),
                        "/whoami"),
                    new ServletMount(ContainerContract.diagnostics(tracker), "/v1/diagnostics/*"),
                    new ServletMount(
                        DiagnosticsServlet.builder()
                            .tracker(tracker)
                            .policy(remoteRuleOnly)
                            .build(),
                        "/remote-rule-only/*"),
                    new ServletMount(
                        DiagnosticsServlet.builder()
                            .tracker(tracker)
                            .policy(DiagnosticsPolicy.loopbackOnly().withAccess((r, l, h) -> true))
                            .onlyOnPort(loopbackPort::get)
                            .build(),
                        "/gated/*")));
    loopbackPort.set(running.loopbackPort());
    held =
        ContainerContract.CLIENT.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + "/held"))
                .header("X-Session-Id", session)
                .timeout(WAIT)
                .build(),
            BodyHandlers.ofByteArray());
    Await.await(attached);
    Await.until(
        "the row is open",
        () ->
            tracker.getBackendSnapshot(ContainerContract.BACKEND).stream()
                .flatMap(b -> b.connections().stream())
                .map(ConnectionSnapshot::sessionId)
                .anyMatch(session::equals));

    HttpResponse<String> page = local("/v1/diagnostics/ui");
    assertThat(page.statusCode()).as("the live page, from loopback").isEqualTo(200);
    paths = new ArrayList<>();
    paths.addAll(
        List.of(
            "/v1/diagnostics",
            "/v1/diagnostics/",
            "/v1/diagnostics/activity",
            "/v1/diagnostics/ui",
            "/v1/diagnostics/ui/"));
    Matcher m = PAGE_FILE.matcher(page.body());
    while (m.find()) {
      paths.add("/v1/diagnostics/" + m.group(1));
    }
    assertThat(paths).as("the page's script, style sheet and icon").hasSize(8);
  }

  @AfterAll
  void stop() throws Exception {
    release.countDown();
    try {
      if (held != null) {
        assertThat(held.get(WAIT.toSeconds(), SECONDS).body()).isEqualTo("held".getBytes(UTF_8));
      }
    } finally {
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
  }

  @Test
  void thePeerArrivesFromANonLoopbackAddressAndTheSetUpBelievesItsHeaders() throws Exception {
    assertThat(fromPeer("/whoami", Map.of()).body())
        .as("what the container reports for the peer")
        .startsWith(peer + " " + peer + " ");

    String claimed = fromPeer("/whoami", Map.of("X-Forwarded-For", "127.0.0.1")).body();
    assertThat(claimed.split(" ")[0])
        .as("the remote address the container reports for X-Forwarded-For: 127.0.0.1")
        .isEqualTo(rewritesRemoteAddress(peer) ? "127.0.0.1" : peer);
  }

  /** The header sets the peer tries: all together, each alone, each with the host and port ones. */
  Stream<Arguments> claims() {
    String diagnosticsPort = String.valueOf(loopbackPort.get());
    Map<String, Map<String, String>> claims = new LinkedHashMap<>();
    claims.put("no forwarding header", Map.of("Host", "localhost"));
    claims.put(
        "every forwarding header",
        Map.of(
            "X-Forwarded-For", "127.0.0.1",
            "X-Real-IP", "127.0.0.1",
            "Forwarded", "for=127.0.0.1;by=127.0.0.1;host=localhost",
            "X-Forwarded-Host", "localhost",
            "Host", "localhost"));
    claims.put(
        "X-Forwarded-For alone", Map.of("X-Forwarded-For", "127.0.0.1", "Host", "localhost"));
    claims.put("X-Real-IP alone", Map.of("X-Real-IP", "127.0.0.1", "Host", "localhost"));
    claims.put("Forwarded alone", Map.of("Forwarded", "for=127.0.0.1", "Host", "localhost"));
    claims.put(
        "Forwarded naming a loopback proxy and host",
        Map.of(
            "Forwarded",
            "for=127.0.0.1;by=\"127.0.0.1:" + diagnosticsPort + "\";host=\"127.0.0.1\"",
            "Host",
            "localhost"));
    claims.put(
        "X-Forwarded-For with a loopback host and the diagnostics port",
        Map.of(
            "X-Forwarded-For",
            "127.0.0.1",
            "X-Forwarded-Host",
            "127.0.0.1:" + diagnosticsPort,
            "X-Forwarded-Port",
            diagnosticsPort,
            "X-Forwarded-Proto",
            "http",
            "Host",
            "localhost"));
    return claims.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("claims")
  void everyDiagnosticsPathRefusesTheRemotePeerAndNoBodyCarriesTheSessionId(
      String name, Map<String, String> headers) throws Exception {
    for (String path : paths) {
      HttpResponse<String> r = fromPeer(path, headers);
      assertThat(r.statusCode()).as(name + ": " + path).isEqualTo(403);
      assertThat(r.body()).as(name + ": " + path).doesNotContain(session);
      assertThat(r.headers().map().toString()).as(name + ": " + path).doesNotContain(session);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("claims")
  void thePortOfTheDiagnosticsListenerCannotBeClaimedFromThePublicOne(
      String name, Map<String, String> headers) throws Exception {
    for (String path : paths) {
      HttpResponse<String> r = fromPeer("/gated" + path, headers);
      assertThat(r.statusCode()).as(name + ": " + path).isEqualTo(404);
      assertThat(r.body()).as(name + ": " + path).doesNotContain(session);
    }
  }

  @Test
  void aLoopbackClientOfTheSameServerIsServedTheRow() throws Exception {
    HttpResponse<String> r = local("/v1/diagnostics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains(session);
    for (String path : paths) {
      assertThat(local(path).statusCode()).as(path).isIn(200, 308);
    }
    HttpResponse<String> gated =
        ContainerContract.CLIENT.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + loopbackPort.get() + "/gated/v1/diagnostics"))
                .timeout(WAIT)
                .build(),
            BodyHandlers.ofString());
    assertThat(gated.statusCode()).as("the gated servlet, on its own port").isEqualTo(200);
    assertThat(gated.body()).contains(session);
  }

  /**
   * Why the local address rule exists: with a rule that judges the remote address and the headers
   * only, a set-up that believes the peer and removes the header it believed lets the peer read the
   * row. The real rule refuses it on every set-up (above).
   */
  @Test
  void withoutTheLocalAddressRuleASetUpThatHidesTheHeaderWouldLetThePeerIn() throws Exception {
    HttpResponse<String> r =
        fromPeer(
            "/remote-rule-only/v1/diagnostics",
            Map.of("X-Forwarded-For", "127.0.0.1", "Host", "localhost"));
    if (hidesTheForwardingHeader(peer)) {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains(session);
    } else {
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).doesNotContain(session);
    }
  }

  private HttpResponse<String> fromPeer(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://" + peer + ":" + running.port() + path))
            .timeout(WAIT);
    headers.forEach(b::header);
    return ContainerContract.CLIENT.send(b.build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> local(String path) throws Exception {
    return ContainerContract.CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + path))
            .timeout(WAIT)
            .build(),
        BodyHandlers.ofString());
  }
}
