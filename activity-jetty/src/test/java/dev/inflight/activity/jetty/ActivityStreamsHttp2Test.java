package dev.inflight.activity.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.inflight.activity.ActivityStreams;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.H2Backend;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import dev.inflight.activity.testing.TestCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JDK {@code HttpClient}'s RX counting ({@link
 * ActivityStreams#countRx(HttpResponse.BodyHandler, dev.inflight.activity.ActivityHandle)} from
 * core) over HTTP/2 with TLS, against a real h2 backend. Here rather than in core, which has no
 * HTTP/2 server on its test class path. The JDK client speaks h2c only by upgrading an HTTP/1.1
 * request, never with prior knowledge, so it is tested over TLS only.
 */
class ActivityStreamsHttp2Test {

  private static final List<String> EVENTS =
      List.of(
          "data: one\n\n", "data: two two\n\n", "data: three three three\n\n", "data: [DONE]\n\n");

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_2)
          .sslContext(TestCertificate.get().clientContext())
          .connectTimeout(Duration.ofSeconds(20))
          .build();

  private H2Backend backend;

  @AfterEach
  void stop() {
    if (backend != null) {
      backend.close();
    }
  }

  private RequestActivity attached() {
    RequestActivity activity = fixture.tracker().beginRequest("s-1");
    activity.attach("backend.1", null, ConnectionType.STREAMING);
    return activity;
  }

  private long rowRx() {
    return fixture
        .tracker()
        .getBackendSnapshot("backend.1")
        .orElseThrow()
        .connections()
        .get(0)
        .bytesRx();
  }

  private HttpResponse<InputStream> send(RequestActivity activity)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(backend.tls("/v1/chat/completions"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    return client.send(
        request, ActivityStreams.countRx(HttpResponse.BodyHandlers.ofInputStream(), activity));
  }

  @Test
  void eachChunkIsCountedAsItArrives() throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = H2Backend.start(reply);
    RequestActivity activity = attached();

    HttpResponse<InputStream> response = send(activity);
    try (InputStream body = response.body()) {
      assertThat(body.readNBytes((int) reply.bytes(1))).hasSize((int) reply.bytes(1));
      assertThat(rowRx()).isEqualTo(reply.bytes(1)); // mid-stream: the backend holds the rest
      backend.release();
      body.transferTo(OutputStream.nullOutputStream());
    }

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(rowRx()).isEqualTo(reply.length()).isEqualTo(backend.bodyBytesSent());
    assertThat(activity.isOpen()).isTrue(); // the server side ends it, not the client
  }

  @Test
  void aStreamResetMidBodyKeepsWhatArrivedAndTheRowEndsErroredOnce() throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(2);
    backend = H2Backend.resetting(reply);
    RequestActivity activity = attached();

    HttpResponse<InputStream> response = send(activity);
    IOException failure;
    try (InputStream body = response.body()) {
      assertThat(body.readNBytes((int) reply.bytes(2))).hasSize((int) reply.bytes(2));
      assertThat(rowRx()).isEqualTo(reply.bytes(2));
      backend.release();
      failure =
          catchThrowableOfType(
              IOException.class, () -> body.transferTo(OutputStream.nullOutputStream()));
    }
    backend.awaitHandled();

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(failure) // the stream's RST_STREAM, not a closed connection
        .hasRootCauseInstanceOf(IOException.class)
        .rootCause()
        .hasMessageContaining("RST_STREAM");
    assertThat(rowRx()).isEqualTo(reply.bytes(2)).isEqualTo(backend.bodyBytesSent());

    activity.end(failure); // what a proxy does with its failed backend call
    activity.close();
    List<EndedConnection> ended = fixture.tracker().recentlyEnded();
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).reason()).isEqualTo(EndReason.ERRORED);
    assertThat(ended.get(0).bytesRx()).isEqualTo(reply.bytes(2));
    assertThat(fixture.tracker().getGlobalSnapshot().ended().total()).isEqualTo(1);
  }
}
