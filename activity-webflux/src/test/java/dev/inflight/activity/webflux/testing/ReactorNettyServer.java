package dev.inflight.activity.webflux.testing;

import dev.inflight.activity.testing.TestCertificate;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.adapter.ForwardedHeaderTransformer;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.tcp.SslProvider;

/**
 * A plain WebFlux application on Reactor Netty, on 127.0.0.1 and a free port: functional routes
 * behind the given {@link WebFilter}s, as {@code WebHttpHandlerBuilder} assembles them.
 */
public final class ReactorNettyServer implements AutoCloseable {

  /** Which forwarded-header handling sits in front of the application. */
  public enum Forwarding {
    /** None: the socket's addresses and the headers as sent. */
    NONE,
    /**
     * Reactor Netty's {@code HttpServer.forwarded(true)} (Boot's {@code
     * server.forward-headers-strategy=native}): the headers rewrite the connection's addresses and
     * stay on the request.
     */
    REACTOR_NETTY,
    /**
     * Spring's {@code ForwardedHeaderTransformer} (Boot's {@code
     * server.forward-headers-strategy=framework}): the headers rewrite the remote address and are
     * removed.
     */
    SPRING_TRANSFORMER,
    /**
     * Reactor Netty's {@code forwarded(true)} with a {@code ForwardedHeaderTransformer} that only
     * removes the headers, the set-up Spring documents for a server that applies them itself.
     */
    REACTOR_NETTY_THEN_REMOVED,
    /** Both rewrites at once, as a hand-built server might be configured. */
    BOTH
  }

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
    return start(routes, filters, UnaryOperator.identity());
  }

  /**
   * Starts a server configured further, e.g. with a protocol, TLS or a connection hook.
   *
   * @param routes the application
   * @param filters the web filters, sorted by their order as Spring sorts them
   * @param configure applied to the server before it binds
   * @return the running server
   */
  public static ReactorNettyServer start(
      RouterFunction<ServerResponse> routes,
      List<WebFilter> filters,
      UnaryOperator<HttpServer> configure) {
    HandlerStrategies.Builder strategies = HandlerStrategies.builder();
    filters.forEach(strategies::webFilter);
    HttpHandler handler = RouterFunctions.toHttpHandler(routes, strategies.build());
    DisposableServer server =
        configure
            .apply(HttpServer.create().host("127.0.0.1").port(0))
            .handle(new ReactorHttpHandlerAdapter(handler))
            .bindNow();
    return new ReactorNettyServer(server);
  }

  /**
   * HTTP/2 in clear text with prior knowledge ({@code h2c}), for {@link #start(RouterFunction,
   * List, UnaryOperator)}: the connection begins with the HTTP/2 preface, no HTTP/1.1 upgrade.
   *
   * @return the configuration
   */
  public static UnaryOperator<HttpServer> h2c() {
    return s -> s.protocol(HttpProtocol.H2C);
  }

  /**
   * HTTP/2 over TLS ({@code h2}, chosen by ALPN; HTTP/1.1 offered too) with {@link
   * TestCertificate}'s key, for {@link #start(RouterFunction, List, UnaryOperator)}.
   *
   * @return the configuration
   */
  public static UnaryOperator<HttpServer> h2Tls() {
    KeyManagerFactory keys;
    try {
      TestCertificate certificate = TestCertificate.get();
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(certificate.keyStore(), certificate.password().toCharArray());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not load the test certificate's key", e);
    }
    SslProvider.GenericSslContextSpec<?> tls = Http2SslContextSpec.forServer(keys);
    return s ->
        s.protocol(HttpProtocol.H2, HttpProtocol.HTTP11).secure(spec -> spec.sslContext(tls));
  }

  /**
   * Starts a server on every interface (0.0.0.0), so that a peer can reach it over a non-loopback
   * address of this machine, with the given forwarded-header handling.
   *
   * @param routes the application
   * @param filters the web filters, in order
   * @param forwarding the forwarded-header handling in front of the application
   * @return the running server
   */
  public static ReactorNettyServer startOnAllInterfaces(
      RouterFunction<ServerResponse> routes, List<WebFilter> filters, Forwarding forwarding) {
    WebHttpHandlerBuilder builder =
        WebHttpHandlerBuilder.webHandler(RouterFunctions.toWebHandler(routes))
            .filters(f -> f.addAll(filters));
    if (forwarding == Forwarding.SPRING_TRANSFORMER || forwarding == Forwarding.BOTH) {
      builder.forwardedHeaderTransformer(new ForwardedHeaderTransformer());
    }
    if (forwarding == Forwarding.REACTOR_NETTY_THEN_REMOVED) {
      ForwardedHeaderTransformer removeOnly = new ForwardedHeaderTransformer();
      removeOnly.setRemoveOnly(true);
      builder.forwardedHeaderTransformer(removeOnly);
    }
    boolean netty = forwarding != Forwarding.NONE && forwarding != Forwarding.SPRING_TRANSFORMER;
    DisposableServer server =
        HttpServer.create()
            .host("0.0.0.0")
            .port(0)
            .forwarded(netty)
            .handle(new ReactorHttpHandlerAdapter(builder.build()))
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
