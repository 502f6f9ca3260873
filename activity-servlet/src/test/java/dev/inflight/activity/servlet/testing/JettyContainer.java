package dev.inflight.activity.servlet.testing;

import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Embedded Jetty 12 (ee10). */
public final class JettyContainer implements ServletContainer {

  @Override
  public Running start(List<FilterMount> filters, List<ServletMount> servlets) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

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
    return new Running() {
      @Override
      public int port() {
        return port;
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
