package dev.inflight.activity.jaxrs;

import dev.inflight.activity.testing.TestCertificate;
import jakarta.servlet.DispatcherType;
import jakarta.ws.rs.core.Application;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An embedded Jetty 12 (ee10) server on an ephemeral port, on 127.0.0.1 or, for the tests of a
 * non-loopback peer, on every interface with a front set-up of the kind a deployment behind a proxy
 * has; for the HTTP/2 tests, on 127.0.0.1 with h2c (prior knowledge) beside HTTP/1.1 and a second,
 * TLS listener choosing h2 through ALPN.
 */
final class TestServer implements AutoCloseable {

  /** What sits in front of the Jakarta REST application. */
  enum Front {
    /** Nothing: the container's own addresses and the headers as sent. */
    NONE,
    /** Jetty's {@code ForwardedRequestCustomizer}, which applies the forwarding headers. */
    JETTY_FORWARDED,
    /**
     * Jetty's {@code ForwardedRequestCustomizer}, then a servlet filter that only removes the
     * headers (Spring's {@code ForwardedHeaderFilter} with {@code removeOnly}, the set-up for a
     * container that applies them itself).
     */
    JETTY_FORWARDED_THEN_REMOVED,
    /**
     * A servlet filter that does what Spring's {@code ForwardedHeaderFilter} or a remote-IP valve
     * does: the remote address becomes the one the headers claim, and the headers are removed.
     */
    REWRITE_AND_STRIP
  }

  private final Server server;
  private final URI base;
  private final int tlsPort;

  private TestServer(Server server, URI base, int tlsPort) {
    this.server = server;
    this.base = base;
    this.tlsPort = tlsPort;
  }

  static TestServer start(JaxrsRuntime runtime, List<Object> singletons) {
    return start(runtime, singletons, "127.0.0.1", Front.NONE, false);
  }

  /**
   * Starts a server on 127.0.0.1 that also speaks HTTP/2: h2c with prior knowledge on {@link
   * #port()}, and h2 (or HTTP/1.1) chosen by ALPN over TLS, with {@link TestCertificate}'s key, on
   * {@link #tlsPort()}.
   */
  static TestServer startWithHttp2(JaxrsRuntime runtime, List<Object> singletons) {
    return start(runtime, singletons, "127.0.0.1", Front.NONE, true);
  }

  /**
   * Starts a server on every interface.
   *
   * @param front what sits in front of the application
   */
  static TestServer startOnAllInterfaces(
      JaxrsRuntime runtime, List<Object> singletons, Front front) {
    return start(runtime, singletons, "0.0.0.0", front, false);
  }

  private static TestServer start(
      JaxrsRuntime runtime, List<Object> singletons, String host, Front front, boolean http2) {
    // HTTP/2 runs dozens of blocking streams at once on a few connections: one thread each
    QueuedThreadPool pool = new QueuedThreadPool(http2 ? 200 : 64, 4);
    pool.setName("jetty-test");
    Server server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    if (front == Front.JETTY_FORWARDED || front == Front.JETTY_FORWARDED_THEN_REMOVED) {
      http.addCustomizer(new ForwardedRequestCustomizer());
    }
    ServerConnector connector =
        http2
            ? new ServerConnector(
                server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http))
            : new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(0);
    // A write blocked on a client that stopped reading (the early-close scenarios) fails after
    // this instead of holding server.stop() forever: Jetty's stop waits for blocked writers.
    connector.setIdleTimeout(10_000);
    server.addConnector(connector);
    ServerConnector tls = null;
    if (http2) {
      tls = tlsConnector(server);
      server.addConnector(tls);
    }
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(
        new FilterHolder(
            new FrontFilter(
                front == Front.REWRITE_AND_STRIP || front == Front.JETTY_FORWARDED_THEN_REMOVED,
                front == Front.REWRITE_AND_STRIP)),
        "/*",
        EnumSet.of(DispatcherType.REQUEST));
    Set<Object> set = Set.copyOf(singletons);
    runtime.mount(
        context,
        new Application() {
          @Override
          @SuppressWarnings("deprecation") // still the portable way to hand over instances
          public Set<Object> getSingletons() {
            return set;
          }
        });
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("server did not start", e);
    }
    return new TestServer(
        server,
        URI.create("http://127.0.0.1:" + connector.getLocalPort()),
        tls == null ? -1 : tls.getLocalPort());
  }

  /** TLS on 127.0.0.1, ALPN choosing h2 or else http/1.1. */
  private static ServerConnector tlsConnector(Server server) {
    HttpConfiguration https = new HttpConfiguration();
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false); // clients of 127.0.0.1 send no SNI
    https.addCustomizer(secure);
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStorePath(TestCertificate.get().keyStorePath().toString());
    ssl.setKeyStorePassword(TestCertificate.get().password());
    ssl.setKeyStoreType("PKCS12");
    ssl.setCertAlias(TestCertificate.ALIAS);
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
    alpn.setDefaultProtocol("http/1.1");
    ServerConnector tls =
        new ServerConnector(
            server,
            new SslConnectionFactory(ssl, alpn.getProtocol()),
            alpn,
            new HTTP2ServerConnectionFactory(https),
            new HttpConnectionFactory(https));
    tls.setHost("127.0.0.1");
    tls.setPort(0);
    tls.setIdleTimeout(10_000);
    return tls;
  }

  URI uri(String path) {
    return base.resolve(path);
  }

  int port() {
    return base.getPort();
  }

  /** The TLS listener's port, for a server started with {@link #startWithHttp2}. */
  int tlsPort() {
    if (tlsPort < 0) {
      throw new IllegalStateException("started without HTTP/2");
    }
    return tlsPort;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("server did not stop", e);
    }
  }
}
