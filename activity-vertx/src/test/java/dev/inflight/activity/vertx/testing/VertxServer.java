package dev.inflight.activity.vertx.testing;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.inflight.activity.testing.TestCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A Vert.x 5 HTTP server on 127.0.0.1 and a free port, serving a vertx-web {@link Router} that the
 * test fills: HTTP/1.1 and h2c with prior knowledge on the plain port (Vert.x's default), or h2 and
 * HTTP/1.1 over TLS chosen by ALPN with the test kit's {@link TestCertificate}.
 *
 * <pre>{@code
 * try (VertxServer server = VertxServer.start(router -> {
 *   router.route().handler(ActivityHandler.create(tracker));
 *   router.get("/json").handler(ctx -> ctx.end("{}"));
 * })) {
 *   ... server.port() ...
 * }
 * }</pre>
 */
public final class VertxServer implements AutoCloseable {

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final HttpServer server;

  private VertxServer(Vertx vertx, boolean ownsVertx, HttpServer server) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.server = server;
  }

  /**
   * Starts a plain server (HTTP/1.1, and h2c with prior knowledge) on a Vert.x of its own.
   *
   * @param routes fills the router
   * @return the running server
   */
  public static VertxServer start(Consumer<Router> routes) {
    return start(Vertx.vertx(), true, routes, new HttpServerOptions());
  }

  /**
   * Starts a server on {@code vertx}, which the caller closes.
   *
   * @param vertx the Vert.x instance
   * @param routes fills the router
   * @param tls whether to speak h2 and HTTP/1.1 over TLS (ALPN) rather than plain HTTP and h2c
   * @return the running server
   */
  public static VertxServer start(Vertx vertx, Consumer<Router> routes, boolean tls) {
    HttpServerOptions options = new HttpServerOptions();
    if (tls) {
      TestCertificate certificate = TestCertificate.get();
      options
          .setSsl(true)
          .setUseAlpn(true)
          .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
          .setKeyCertOptions(
              new KeyStoreOptions()
                  .setType("PKCS12")
                  .setPath(certificate.keyStorePath().toString())
                  .setPassword(certificate.password())
                  .setAlias(TestCertificate.ALIAS)
                  .setAliasPassword(certificate.password()));
    }
    return start(vertx, false, routes, options);
  }

  private static VertxServer start(
      Vertx vertx, boolean ownsVertx, Consumer<Router> routes, HttpServerOptions options) {
    try {
      Router router = Router.router(vertx);
      routes.accept(router);
      HttpServer server =
          await(
              vertx
                  .createHttpServer(options)
                  .requestHandler(router)
                  .connectionHandler(VertxServer::roomyWriteBuffer)
                  .listen(0, "127.0.0.1"));
      return new VertxServer(vertx, ownsVertx, server);
    } catch (RuntimeException | Error e) {
      if (ownsVertx) {
        vertx.close();
      }
      throw e;
    }
  }

  /**
   * Lets a connection buffer 4 MiB of writes before it reports itself unwritable (Netty's default
   * is 64 KiB). Vert.x 5.0.7's HTTP/2 server tracks each stream's writability by toggling a flag on
   * every change Netty's flow controller reports; with many streams writing at once on a connection
   * that keeps flipping between writable and not (TLS, large writes), a stream of the kit's storm
   * now and then stayed marked unwritable and its next write never left Vert.x's queue, with or
   * without tracking (by all appearances the flow-control re-entrancy fixed later in
   * eclipse-vertx/vert.x#6359). With room to buffer, the connection rarely flips and the
   * notifications come from the HTTP/2 windows.
   */
  private static void roomyWriteBuffer(HttpConnection connection) {
    // by reflection: the connection's Netty channel is Vert.x's internal API, in a package its
    // module does not export; the tests run on the class path
    try {
      Object channel = connection.getClass().getMethod("channel").invoke(connection);
      Class<?> channelType = Class.forName("io.netty.channel.Channel");
      Object config = channelType.getMethod("config").invoke(channel);
      Class<?> mark = Class.forName("io.netty.channel.WriteBufferWaterMark");
      Class.forName("io.netty.channel.ChannelConfig")
          .getMethod("setWriteBufferWaterMark", mark)
          .invoke(config, mark.getConstructor(int.class, int.class).newInstance(2 << 20, 4 << 20));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot configure the connection's write buffer", e);
    }
  }

  /**
   * Whether the tests run on Vert.x 5 (else on 4.5: the same tests run on both, see the module
   * activity-vertx4-test).
   *
   * @return true on Vert.x 5
   */
  public static boolean isVertx5() {
    try {
      Class.forName("io.vertx.core.internal.buffer.BufferInternal");
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * Waits for a Vert.x future from a thread that is not Vert.x's, at most 10 seconds.
   *
   * @param <T> the result's type
   * @param future the future
   * @return its result
   * @throws IllegalStateException if it failed or did not complete in time
   */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the future failed", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the future did not complete in 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * The Vert.x instance the server runs on.
   *
   * @return it
   */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * The port the server listens on.
   *
   * @return the port
   */
  public int port() {
    return server.actualPort();
  }

  /**
   * A URI on the server.
   *
   * @param path the path and query
   * @return {@code http://127.0.0.1:<port><path>}
   */
  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  @Override
  public void close() {
    try {
      await(server.close());
    } finally {
      if (ownsVertx) {
        await(vertx.close());
      }
    }
  }
}
