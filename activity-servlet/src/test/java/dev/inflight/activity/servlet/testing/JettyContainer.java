package dev.inflight.activity.servlet.testing;

import dev.inflight.activity.testing.TestCertificate;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
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

/** Embedded Jetty 12 (ee10). */
public final class JettyContainer implements ServletContainer {

  @Override
  public Running start(Setup setup, List<FilterMount> filters, List<ServletMount> servlets)
      throws Exception {
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    if (setup.forwarding() != Forwarding.NONE) {
      ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();
      forwarded.setProxyAsAuthority(setup.forwarding() == Forwarding.TRUST_ALL);
      config.addCustomizer(forwarded);
    }
    ServerConnector connector =
        setup.http2()
            ? new ServerConnector(
                server,
                new HttpConnectionFactory(config),
                new HTTP2CServerConnectionFactory(config))
            : new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost(setup.host());
    connector.setPort(0);
    server.addConnector(connector);
    ServerConnector loopback = null;
    if (setup.loopbackListener()) {
      loopback = new ServerConnector(server);
      loopback.setHost("127.0.0.1");
      loopback.setPort(0);
      server.addConnector(loopback);
    }
    ServerConnector tls = null;
    if (setup.http2()) {
      tls = tlsConnector(server);
      server.addConnector(tls);
    }

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    for (FilterMount f : filters) {
      FilterHolder holder = new FilterHolder(f.filter());
      holder.setAsyncSupported(true);
      holder.setInitParameters(f.params());
      context.addFilter(holder, f.pattern(), EnumSet.copyOf(f.dispatchers()));
    }
    for (ServletMount s : servlets) {
      ServletHolder holder = new ServletHolder(s.servlet());
      holder.setAsyncSupported(true);
      holder.setInitParameters(s.params());
      context.addServlet(holder, s.pattern());
    }
    server.setHandler(context);
    server.start();
    int port = connector.getLocalPort();
    int loopbackPort = loopback == null ? -1 : loopback.getLocalPort();
    int tlsPort = tls == null ? -1 : tls.getLocalPort();
    return new Running() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public int loopbackPort() {
        if (loopbackPort < 0) {
          return Running.super.loopbackPort();
        }
        return loopbackPort;
      }

      @Override
      public int tlsPort() {
        if (tlsPort < 0) {
          return Running.super.tlsPort();
        }
        return tlsPort;
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
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
    return tls;
  }

  @Override
  public String containerPackage() {
    return "org.eclipse.jetty.";
  }

  @Override
  public String toString() {
    return "Jetty 12";
  }
}
