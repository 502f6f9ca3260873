package dev.inflight.activity.cli.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A real HTTP server on 127.0.0.1 whose answer a test sets. */
final class StubServer implements AutoCloseable {

  /** What to answer. */
  interface Answer {
    void respond(HttpExchange exchange) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile Answer answer = ok("{}");
  volatile String lastPath = "";
  volatile Map<String, List<String>> lastHeaders = Map.of();

  StubServer() throws IOException {
    this(0);
  }

  StubServer(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.createContext(
        "/",
        exchange -> {
          lastPath = exchange.getRequestURI().getPath();
          lastHeaders = Map.copyOf(exchange.getRequestHeaders());
          try {
            answer.respond(exchange);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            exchange.close();
          }
        });
    server.setExecutor(executor);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  void answer(Answer a) {
    this.answer = a;
  }

  static Answer ok(String json) {
    return status(200, "application/json", json);
  }

  static Answer status(int code, String contentType, String body) {
    return exchange -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    };
  }

  /** Never answers until the server closes (bounded by 30 s). */
  Answer hang() {
    return exchange -> released.await(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
