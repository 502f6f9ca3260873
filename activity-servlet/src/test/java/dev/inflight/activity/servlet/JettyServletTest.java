package dev.inflight.activity.servlet;

import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The servlet contract on embedded Jetty 12 (ee10). */
class JettyServletTest extends ServletContainerContract {

  @Override
  protected Container start(List<FilterMount> filters, List<ServletMount> servlets)
      throws Exception {
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
    return new Container() {
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
  protected String containerPackage() {
    return "org.eclipse.jetty.";
  }
}
