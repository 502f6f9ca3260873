package dev.inflight.activity.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.testing.Await;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ActivityClientFeature} in a proxy: a tracked resource calls a second local resource
 * through the implementation's own JAX-RS client and streams the answer on.
 */
abstract class ActivityClientFeatureContract {

  ActivityTracker tracker;
  Client client;
  TestServer server;
  HttpClient http;

  abstract JaxrsRuntime runtime();

  @BeforeEach
  void start() {
    tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    client =
        ClientBuilder.newClient()
            .register(new ActivityClientFeature())
            .register(new ProxyResource.ExplodingReader());
    ProxyResource proxy = new ProxyResource(client);
    server =
        TestServer.start(
            runtime(), List.of(proxy, new ProxyResource.Backend(), new ActivityFeature(tracker)));
    proxy.backend = server.uri("/");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() {
    server.close();
    client.close();
    tracker.close();
  }

  HttpResponse<byte[]> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  BackendSnapshot awaitEnded() throws InterruptedException {
    Await.until(
        "the proxied request ended",
        () ->
            tracker.activeConnections() == 0
                && tracker
                    .getBackendSnapshot(ProxyResource.BACKEND)
                    .map(b -> b.ended().total() == 1)
                    .orElse(false));
    return tracker.getBackendSnapshot(ProxyResource.BACKEND).orElseThrow();
  }

  @Test
  void proxiedStreamCountsBackendBytesAsRxAndClientBytesAsTx() throws Exception {
    HttpResponse<byte[]> r = get("/p/full?size=250000");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(250_000);
    BackendSnapshot b = awaitEnded();
    assertThat(b.cumulativeBytesRx()).as("RX = what the backend sent").isEqualTo(250_000);
    assertThat(b.cumulativeBytesTx()).as("TX = what the client got").isEqualTo(r.body().length);
    assertThat(b.ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
    assertThat(tracker.getGlobalSnapshot().backends())
        .as("the backend resource itself never attached")
        .hasSize(1);
  }

  @Test
  void earlyCloseCountsOnlyWhatWasRead() throws Exception {
    HttpResponse<byte[]> r = get("/p/early?size=500000&keep=1000");
    assertThat(r.body()).hasSize(1000);
    BackendSnapshot b = awaitEnded();
    assertThat(b.cumulativeBytesRx()).isEqualTo(1000);
    assertThat(b.cumulativeBytesTx()).isEqualTo(1000);
  }

  @Test
  void readerThatThrowsCountsWhatItConsumed() throws Exception {
    HttpResponse<byte[]> r = get("/p/throwing?size=50000");
    assertThat(r.statusCode()).isEqualTo(502);
    BackendSnapshot b = awaitEnded();
    assertThat(b.cumulativeBytesRx()).isEqualTo(ProxyResource.ExplodingReader.CONSUMED);
    assertThat(b.cumulativeBytesTx()).isZero();
  }
}
