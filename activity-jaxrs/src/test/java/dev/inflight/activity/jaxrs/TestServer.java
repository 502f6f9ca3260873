package dev.inflight.activity.jaxrs;

import jakarta.ws.rs.core.Application;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** An embedded Jetty 12 (ee10) server on 127.0.0.1 and an ephemeral port. */
final class TestServer implements AutoCloseable {
  private final Server server;
  private final URI base;

  private TestServer(Server server, URI base) {
    this.server = server;
    this.base = base;
  }

  static TestServer start(JaxrsRuntime runtime, List<Object> singletons) {
    QueuedThreadPool pool = new QueuedThreadPool(64, 4);
    pool.setName("jetty-test");
    Server server = new Server(pool);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    // A write blocked on a client that stopped reading (the early-close scenarios) fails after
    // this instead of holding server.stop() forever: Jetty's stop waits for blocked writers.
    connector.setIdleTimeout(10_000);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
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
    return new TestServer(server, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
  }

  URI uri(String path) {
    return base.resolve(path);
  }

  int port() {
    return base.getPort();
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
