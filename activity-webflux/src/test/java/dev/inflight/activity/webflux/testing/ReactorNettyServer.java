package dev.inflight.activity.webflux.testing;

import java.net.URI;
import java.util.List;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A plain WebFlux application on Reactor Netty, on 127.0.0.1 and a free port: functional routes
 * behind the given {@link WebFilter}s, as {@code WebHttpHandlerBuilder} assembles them.
 */
public final class ReactorNettyServer implements AutoCloseable {

  private final DisposableServer server;

  private ReactorNettyServer(DisposableServer server) {
    this.server = server;
  }

  /**
   * Starts a server.
   *
   * @param routes the application
   * @param filters the web filters, sorted by their order as Spring sorts them
   * @return the running server
   */
  public static ReactorNettyServer start(
      RouterFunction<ServerResponse> routes, List<WebFilter> filters) {
    HandlerStrategies.Builder strategies = HandlerStrategies.builder();
    filters.forEach(strategies::webFilter);
    HttpHandler handler = RouterFunctions.toHttpHandler(routes, strategies.build());
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(new ReactorHttpHandlerAdapter(handler))
            .bindNow();
    return new ReactorNettyServer(server);
  }

  /**
   * The port.
   *
   * @return the port the server listens on
   */
  public int port() {
    return server.port();
  }

  /**
   * The address of a path.
   *
   * @param path the path, starting with a slash
   * @return {@code http://127.0.0.1:port/path}
   */
  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  @Override
  public void close() {
    server.disposeNow();
  }
}
