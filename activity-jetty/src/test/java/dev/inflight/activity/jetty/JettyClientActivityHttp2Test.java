package dev.inflight.activity.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.H2Backend;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import dev.inflight.activity.testing.TestCertificate;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link JettyClientActivity} on Jetty's HTTP/2 client transports, against a real h2 backend. */
class JettyClientActivityHttp2Test {

  private static final List<String> EVENTS =
      List.of(
          "data: one\n\n", "data: two two\n\n", "data: three three three\n\n", "data: [DONE]\n\n");

  /** How the client reaches the backend. */
  enum Transport {
    /** The dynamic transport over TLS, offering h2 and http/1.1 by ALPN: the backend picks h2. */
    TLS_ALPN_DYNAMIC,
    /** The HTTP/2 transport on cleartext, with prior knowledge. */
    H2C_PRIOR_KNOWLEDGE
  }

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private HttpClient client;
  private H2Backend backend;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.stop();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private Request post(Transport transport) throws Exception {
    ClientConnector connector = new ClientConnector();
    HTTP2Client h2 = new HTTP2Client(connector);
    HttpClientTransport t;
    URI target;
    if (transport == Transport.TLS_ALPN_DYNAMIC) {
      SslContextFactory.Client ssl = new SslContextFactory.Client();
      ssl.setSslContext(TestCertificate.get().clientContext());
      connector.setSslContextFactory(ssl);
      t =
          new HttpClientTransportDynamic(
              connector,
              new ClientConnectionFactoryOverHTTP2.HTTP2(h2),
              HttpClientConnectionFactory.HTTP11);
      target = backend.tls("/v1/chat/completions");
    } else {
      t = new HttpClientTransportOverHTTP2(h2);
      target = backend.h2c("/v1/chat/completions");
    }
    client = new HttpClient(t);
    client.start();
    return client
        .POST(target)
        .body(new StringRequestContent("application/json", "{}"))
        .timeout(20, TimeUnit.SECONDS);
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

  /** Sends the counted request; counts {@code firstPart} down once that many bytes arrived. */
  private CompletableFuture<Result> send(
      Request request, RequestActivity activity, long firstPart, CountDownLatch arrived) {
    AtomicLong received = new AtomicLong();
    CompletableFuture<Result> done = new CompletableFuture<>();
    JettyClientActivity.countRx(request, activity)
        .onResponseContent(
            (response, content) -> {
              if (received.addAndGet(content.remaining()) >= firstPart) {
                arrived.countDown();
              }
            })
        .send(done::complete);
    return done;
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void eachDataFrameIsCountedAsItArrives(Transport transport) throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = H2Backend.start(reply);
    RequestActivity activity = attached();
    CountDownLatch first = new CountDownLatch(1);

    CompletableFuture<Result> done = send(post(transport), activity, reply.bytes(1), first);
    Await.await(first);
    assertThat(rowRx()).isEqualTo(reply.bytes(1)); // mid-stream: the backend holds the rest
    backend.release();
    Result result = done.get(20, TimeUnit.SECONDS);

    assertThat(result.isSucceeded()).as("%s", result).isTrue();
    assertThat(result.getResponse().getVersion()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(rowRx()).isEqualTo(reply.length()).isEqualTo(backend.bodyBytesSent());
    assertThat(activity.isOpen()).isTrue(); // the server side ends it, not the client
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aStreamResetMidBodyKeepsWhatArrivedAndTheRowEndsErroredOnce(Transport transport)
      throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(2);
    backend = H2Backend.resetting(reply);
    RequestActivity activity = attached();
    CountDownLatch firstTwo = new CountDownLatch(1);

    CompletableFuture<Result> done = send(post(transport), activity, reply.bytes(2), firstTwo);
    Await.await(firstTwo);
    assertThat(rowRx()).isEqualTo(reply.bytes(2));
    backend.release();
    Result result = done.get(20, TimeUnit.SECONDS);
    backend.awaitHandled();

    assertThat(result.getResponse().getVersion()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(result.getFailure()) // the stream's RST_STREAM, not a closed connection
        .isInstanceOf(IOException.class)
        .hasMessage("cancel_stream_error");
    assertThat(rowRx()).isEqualTo(reply.bytes(2)).isEqualTo(backend.bodyBytesSent());
    assertThat(activity.isOpen()).isTrue();

    // what a proxy does with its failed backend call: the one rule in core classifies it
    activity.end(result.getFailure());
    activity.close();

    List<EndedConnection> ended = fixture.tracker().recentlyEnded();
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).reason()).isEqualTo(EndReason.ERRORED);
    assertThat(ended.get(0).bytesRx()).isEqualTo(reply.bytes(2));
    assertThat(fixture.tracker().getGlobalSnapshot().ended().total()).isEqualTo(1);
  }

  @Test
  void twoStreamsOnOneConnectionCountIntoTheirOwnRows() throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = H2Backend.start(reply);
    Request first = post(Transport.H2C_PRIOR_KNOWLEDGE);
    Request second =
        client
            .POST(backend.h2c("/v1/chat/completions"))
            .body(new StringRequestContent("application/json", "{}"))
            .timeout(20, TimeUnit.SECONDS);
    RequestActivity a = fixture.tracker().beginRequest("s-a");
    a.attach("backend.1", null, ConnectionType.STREAMING);
    RequestActivity b = fixture.tracker().beginRequest("s-b");
    b.attach("backend.1", null, ConnectionType.STREAMING);
    CountDownLatch bothStarted = new CountDownLatch(2);

    CompletableFuture<Result> one = send(first, a, reply.bytes(1), bothStarted);
    CompletableFuture<Result> two = send(second, b, reply.bytes(1), bothStarted);
    Await.await(bothStarted); // two streams open at once, each holding after its first event
    assertThat(rows()).containsExactly(reply.bytes(1), reply.bytes(1));
    backend.release();

    assertThat(one.get(20, TimeUnit.SECONDS).isSucceeded()).isTrue();
    assertThat(two.get(20, TimeUnit.SECONDS).isSucceeded()).isTrue();
    assertThat(rows()).containsExactly(reply.length(), reply.length());
  }

  private List<Long> rows() {
    return fixture.tracker().getBackendSnapshot("backend.1").orElseThrow().connections().stream()
        .map(c -> c.bytesRx())
        .toList();
  }
}
