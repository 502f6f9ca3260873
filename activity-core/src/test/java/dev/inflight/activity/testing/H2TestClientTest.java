package dev.inflight.activity.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link H2TestClient} against a Jetty HTTP/2 server with an h2c and a TLS connector: exact DATA
 * counts, the session header, a reset the server notices, a dropped socket the server notices.
 */
class H2TestClientTest {

  private static final int CHUNK = 1024;
  private static Server server;
  private static ServerConnector clear;
  private static ServerConnector secure;
  private static final List<String> sessionHeaders = new CopyOnWriteArrayList<>();
  private static volatile CountDownLatch endlessFailed = new CountDownLatch(1);

  @BeforeAll
  static void startServer() throws Exception {
    server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    clear = new ServerConnector(server, 1, 1, new HTTP2CServerConnectionFactory(config));
    clear.setHost("127.0.0.1");
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setSslContext(TestCertificate.get().serverContext());
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
    secure =
        new ServerConnector(
            server,
            1,
            1,
            new SslConnectionFactory(tls, alpn.getProtocol()),
            alpn,
            new HTTP2ServerConnectionFactory(config));
    // a client that did not choose h2 through ALPN would get no HTTP/2 on this connector
    alpn.setDefaultProtocol("http/1.1");
    secure.setHost("127.0.0.1");
    server.addConnector(clear);
    server.addConnector(secure);
    server.setHandler(new Bodies());
    server.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.stop();
  }

  private static int port(boolean tls) {
    return tls ? secure.getLocalPort() : clear.getLocalPort();
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void countsTheDataBytesOfEachStream(boolean tls) {
    try (H2TestClient client = H2TestClient.start()) {
      H2TestClient.Connection connection = client.connect(port(tls), tls);
      H2TestClient.Exchange small = connection.get("/fixed?size=10", Map.of());
      H2TestClient.Exchange large = connection.get("/fixed?size=300000", Map.of());

      assertThat(large.awaitEnd()).isEqualTo(H2TestClient.End.COMPLETED);
      assertThat(small.awaitEnd()).isEqualTo(H2TestClient.End.COMPLETED);
      assertThat(small.status()).isEqualTo(200);
      assertThat(small.dataBytes()).isEqualTo(10);
      assertThat(small.bodyText()).isEqualTo("x".repeat(10));
      assertThat(large.dataBytes()).isEqualTo(300_000);
      assertThat(large.streamId()).isNotEqualTo(small.streamId());
      assertThat(connection.isTls()).isEqualTo(tls);
      assertThat(connection.protocol()).isEqualTo(tls ? "h2" : "h2c");
      assertThat(connection.exchanges()).containsExactly(small, large);
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void sendsHeadersAndAPostBody(boolean tls) {
    try (H2TestClient client = H2TestClient.start()) {
      H2TestClient.Connection connection = client.connect(port(tls), tls);
      H2TestClient.Exchange post =
          connection.post("/echo", Map.of("X-Session-Id", "s-1"), new byte[] {1, 2, 3, 4, 5});

      assertThat(post.awaitEnd()).isEqualTo(H2TestClient.End.COMPLETED);
      assertThat(post.dataBytes()).isEqualTo(5);
      assertThat(sessionHeaders).contains("s-1");
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void aResetStreamFailsTheServersWritesAndTheConnectionGoesOn(boolean tls) {
    endlessFailed = new CountDownLatch(1);
    try (H2TestClient client = H2TestClient.start()) {
      H2TestClient.Connection connection = client.connect(port(tls), tls);
      H2TestClient.Exchange endless = connection.get("/endless", Map.of());
      endless.awaitBytes(10 * CHUNK);

      endless.reset();

      Await.await(endlessFailed);
      assertThat(endless.end()).isEqualTo(H2TestClient.End.RESET_BY_CLIENT);
      assertThat(endless.resetError()).isEqualTo(ErrorCode.CANCEL_STREAM_ERROR.code);
      H2TestClient.Exchange after = connection.get("/fixed?size=3", Map.of());
      assertThat(after.awaitEnd()).isEqualTo(H2TestClient.End.COMPLETED);
      assertThat(after.dataBytes()).isEqualTo(3);
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void aDroppedSocketFailsTheServersWrites(boolean tls) {
    endlessFailed = new CountDownLatch(1);
    try (H2TestClient client = H2TestClient.start()) {
      H2TestClient.Connection connection = client.connect(port(tls), tls);
      H2TestClient.Exchange endless = connection.get("/endless", Map.of());
      endless.awaitBytes(CHUNK);

      connection.drop();

      Await.await(endlessFailed);
      assertThat(endless.end()).isEqualTo(H2TestClient.End.DROPPED);
      Await.until("the client saw the socket closed", connection::isClosed);
    }
  }

  /**
   * {@code /fixed?size=n} sends n bytes, {@code /echo} the request body, anything else writes 1 KiB
   * chunks until a write fails.
   */
  private static final class Bodies extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = request.getHttpURI().getPath();
      String session = request.getHeaders().get("x-session-id");
      if (session != null) {
        sessionHeaders.add(session);
      }
      response.setStatus(200);
      if (path.equals("/fixed")) {
        int size = Integer.parseInt(Request.extractQueryParameters(request).getValue("size"));
        response.write(true, ByteBuffer.wrap("x".repeat(size).getBytes(US_ASCII)), callback);
      } else if (path.equals("/echo")) {
        ByteBuffer received = Content.Source.asByteBuffer(request);
        byte[] body = new byte[received.remaining()];
        received.get(body);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
      } else {
        try {
          while (true) {
            try (Blocker.Callback written = Blocker.callback()) {
              response.write(false, ByteBuffer.wrap(new byte[CHUNK]), written);
              written.block();
            }
          }
        } catch (IOException e) {
          endlessFailed.countDown();
          callback.failed(e);
        }
      }
      return true;
    }
  }
}
