package dev.inflight.activity.servlet.testing;

import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

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
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
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
      public void close() throws Exception {
        server.stop();
      }
    };
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
