package dev.inflight.activity.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.inflight.activity.testing.StreamingBackend.Reply;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/2 backend on 127.0.0.1 (Jetty 12): h2 over TLS chosen by ALPN with the test kit's
 * certificate (HTTP/1.1 is offered too, so a client that fails to negotiate h2 shows it), and h2c
 * with prior knowledge on a second port. Every request is answered with the reply's parts, each
 * flushed in its own DATA frame; after {@link Reply#holdAfter()} parts it waits for {@link
 * #release()}, then sends the rest or, when {@linkplain #resetting resetting}, resets the stream
 * (RST_STREAM) instead of finishing the body.
 */
public final class H2Backend implements AutoCloseable {

  private final Reply reply;
  private final boolean reset;
  private final Server server = new Server(new QueuedThreadPool(16, 2));
  private final ServerConnector tls;
  private final ServerConnector h2c;
  private final CountDownLatch released = new CountDownLatch(1);
  private final CountDownLatch handled = new CountDownLatch(1);
  private final AtomicLong bodyBytesSent = new AtomicLong();
  private final AtomicReference<HttpVersion> version = new AtomicReference<>();

  private H2Backend(Reply reply, boolean reset) {
    this.reply = reply;
    this.reset = reset;
    HttpConfiguration config = new HttpConfiguration();
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false); // clients send no SNI for an IP address
    config.addCustomizer(secure);
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStorePath(TestCertificate.get().keyStorePath().toString());
    ssl.setKeyStorePassword(TestCertificate.get().password());
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
    alpn.setDefaultProtocol("http/1.1");
    tls =
        new ServerConnector(
            server,
            new SslConnectionFactory(ssl, alpn.getProtocol()),
            alpn,
            new HTTP2ServerConnectionFactory(config),
            new HttpConnectionFactory(config));
    h2c = new ServerConnector(server, new HTTP2CServerConnectionFactory(new HttpConfiguration()));
    for (ServerConnector c : List.of(tls, h2c)) {
      c.setHost("127.0.0.1");
      server.addConnector(c);
    }
    server.setHandler(new Streamer());
  }

  /**
   * Starts a backend that sends the whole reply (after a release, if it holds).
   *
   * @param reply what to answer
   * @return the started backend
   */
  public static H2Backend start(Reply reply) throws Exception {
    return started(new H2Backend(reply, false));
  }

  /**
   * Starts a backend that sends the reply's first {@link Reply#holdAfter()} parts, waits for a
   * release, then resets the stream.
   *
   * @param reply what to answer; must hold
   * @return the started backend
   */
  public static H2Backend resetting(Reply reply) throws Exception {
    if (reply.holdAfter() < 0) {
      throw new IllegalArgumentException("a resetting reply holds first");
    }
    return started(new H2Backend(reply, true));
  }

  private static H2Backend started(H2Backend backend) throws Exception {
    backend.server.start();
    return backend;
  }

  /** The address of {@code path} over TLS (h2 by ALPN). */
  public URI tls(String path) {
    return URI.create("https://127.0.0.1:" + tls.getLocalPort() + path);
  }

  /** The address of {@code path} over cleartext HTTP/2 (prior knowledge only). */
  public URI h2c(String path) {
    return URI.create("http://127.0.0.1:" + h2c.getLocalPort() + path);
  }

  /** Lets a held reply go on. */
  public void release() {
    released.countDown();
  }

  /** Body bytes handed to the connection so far, each part counted before it is written. */
  public long bodyBytesSent() {
    return bodyBytesSent.get();
  }

  /** The protocol of the last request received, or null before one. */
  public @Nullable HttpVersion lastVersion() {
    return version.get();
  }

  /** Waits until the backend has finished (or reset) its answer to a request. */
  public void awaitHandled() {
    Await.await(handled);
  }

  @Override
  public void close() {
    released.countDown();
    try {
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("the backend did not stop", e);
    }
  }

  private final class Streamer extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback)
        throws IOException {
      version.set(request.getConnectionMetaData().getHttpVersion());
      Content.Source.consumeAll(request);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
      List<String> parts = reply.parts();
      try {
        for (int i = 0; i <= parts.size(); i++) {
          if (i == reply.holdAfter()) {
            Await.await(released);
            if (reset) {
              // a committed response whose handling fails: Jetty resets the HTTP/2 stream
              callback.failed(new IOException("the backend reset the stream"));
              return true;
            }
          }
          if (i < parts.size()) {
            byte[] bytes = parts.get(i).getBytes(UTF_8);
            // counted before the write, so a client that has read them never races the count
            bodyBytesSent.addAndGet(bytes.length);
            try (Blocker.Callback written = Blocker.callback()) {
              response.write(false, ByteBuffer.wrap(bytes), written);
              written.block();
            }
          }
        }
        response.write(true, BufferUtil.EMPTY_BUFFER, callback);
        return true;
      } finally {
        handled.countDown();
      }
    }
  }
}
