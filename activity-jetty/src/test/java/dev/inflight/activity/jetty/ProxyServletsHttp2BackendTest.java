package dev.inflight.activity.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.servlet.ActivityFilter;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.H2Backend;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import dev.inflight.activity.testing.TestCertificate;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both tracking proxy servlets, behind the servlet {@code ActivityFilter}, whose Jetty client talks
 * HTTP/2 to an h2 backend over TLS (the dynamic transport, h2 chosen by ALPN).
 */
class ProxyServletsHttp2BackendTest {

  private static final List<String> EVENTS =
      List.of(
          "data: {\"delta\":\"Hel\"}\n\n",
          "data: {\"delta\":\"lo, \"}\n\n",
          "data: {\"delta\":\"world\"}\n\n",
          "data: [DONE]\n\n");

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** The proxy servlet under test, its Jetty client speaking h2 (or http/1.1) by ALPN. */
  enum Servlet {
    BLOCKING,
    ASYNC;

    HttpServlet create(ProxyAttachment attachment) {
      return this == BLOCKING
          ? new ActivityProxyServlet(attachment) {
            @Override
            protected org.eclipse.jetty.client.HttpClient newHttpClient(ClientConnector c) {
              return h2Client(c);
            }
          }
          : new ActivityAsyncProxyServlet(attachment) {
            @Override
            protected org.eclipse.jetty.client.HttpClient newHttpClient(ClientConnector c) {
              return h2Client(c);
            }
          };
    }

    private static org.eclipse.jetty.client.HttpClient h2Client(ClientConnector connector) {
      SslContextFactory.Client ssl = new SslContextFactory.Client();
      ssl.setSslContext(TestCertificate.get().clientContext());
      connector.setSslContextFactory(ssl);
      return new org.eclipse.jetty.client.HttpClient(
          new HttpClientTransportDynamic(
              connector,
              new ClientConnectionFactoryOverHTTP2.HTTP2(new HTTP2Client(connector)),
              HttpClientConnectionFactory.HTTP11));
    }
  }

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private final List<EndedConnection> ended = new CopyOnWriteArrayList<>();
  private final CountDownLatch rowEnded = new CountDownLatch(1);
  private H2Backend backend;
  private Server proxy;
  private int port;

  private void startProxy(Servlet servlet) throws Exception {
    fixture
        .tracker()
        .addEndedListener(
            e -> {
              ended.add(e);
              rowEnded.countDown();
            });
    proxy = new Server();
    ServerConnector connector = new ServerConnector(proxy);
    connector.setHost("127.0.0.1");
    proxy.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    FilterHolder filter =
        new FilterHolder(ActivityFilter.builder().tracker(fixture.tracker()).build());
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder holder =
        new ServletHolder(
            servlet.create(
                ProxyAttachment.builder()
                    .backend((request, target) -> "vllm.1")
                    .type(request -> ConnectionType.STREAMING)
                    .build()));
    holder.setInitParameter("proxyTo", backend.tls("").toString());
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    proxy.setHandler(context);
    proxy.start();
    port = connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.stop();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private HttpResponse<InputStream> post() throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
            .header("X-Session-Id", "s-1")
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
            .build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  private long rowRx() {
    return fixture
        .tracker()
        .getBackendSnapshot("vllm.1")
        .orElseThrow()
        .connections()
        .get(0)
        .bytesRx();
  }

  @ParameterizedTest
  @EnumSource(Servlet.class)
  void rxGrowsMidStreamAndIsExactAtTheEnd(Servlet servlet) throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = H2Backend.start(reply);
    startProxy(servlet);

    HttpResponse<InputStream> response = post();
    try (InputStream body = response.body()) {
      assertThat(body.readNBytes((int) reply.bytes(1))).hasSize((int) reply.bytes(1));
      assertThat(rowRx()).isEqualTo(reply.bytes(1)); // mid-stream: the backend holds the rest
      backend.release();
      body.transferTo(OutputStream.nullOutputStream());
    }
    Await.await(rowEnded);

    assertThat(backend.lastVersion()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(ended.get(0).bytesRx()).isEqualTo(reply.length()).isEqualTo(backend.bodyBytesSent());
    assertThat(ended.get(0).bytesTx()).isEqualTo(reply.length());
  }

  @ParameterizedTest
  @EnumSource(Servlet.class)
  void aStreamResetMidBodyEndsTheRowErroredOnce(Servlet servlet) throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(2);
    backend = H2Backend.resetting(reply);
    startProxy(servlet);

    HttpResponse<InputStream> response = post();
    try (InputStream body = response.body()) {
      assertThat(body.readNBytes((int) reply.bytes(2))).hasSize((int) reply.bytes(2));
      assertThat(rowRx()).isEqualTo(reply.bytes(2));
      backend.release();
      // the proxy aborts the client's response: its body ends short, with an error
      assertThat(
              catchThrowableOfType(
                  IOException.class, () -> body.transferTo(OutputStream.nullOutputStream())))
          .isNotNull();
    }
    Await.await(rowEnded);
    proxy.stop(); // every request finished: a second end would have come by now

    assertThat(backend.lastVersion()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).reason()).isEqualTo(EndReason.ERRORED);
    assertThat(ended.get(0).bytesRx()).isEqualTo(reply.bytes(2)).isEqualTo(backend.bodyBytesSent());
    assertThat(fixture.tracker().getGlobalSnapshot().ended().total()).isEqualTo(1);
  }
}
