package dev.inflight.activity.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A backend on 127.0.0.1 (the JDK's {@code HttpServer}) that answers every request with a body sent
 * in parts, each flushed on its own, and counts the body bytes it hands to the connection, so a
 * client test can assert RX against them. A reply can stop after some parts until {@link
 * #release()}, to look at the counters mid-stream.
 *
 * <pre>{@code
 * try (StreamingBackend backend = StreamingBackend.start(body -> Reply.sse(events).holdAfter(1))) {
 *   ... read the first event ...
 *   backend.awaitPartsSent(1);
 *   backend.release();
 * }
 * }</pre>
 */
public final class StreamingBackend implements AutoCloseable {

  /**
   * What the backend answers to one request: a content type and the body's parts, each written and
   * flushed on its own; immutable.
   *
   * @param contentType the response's content type
   * @param parts the body, in parts
   * @param holdAfter how many parts to send before waiting for {@link #release()}; -1 for none
   */
  public record Reply(String contentType, List<String> parts, int holdAfter) {

    /**
     * Validates and copies.
     *
     * @param contentType the response's content type
     * @param parts the body, in parts
     * @param holdAfter how many parts to send before waiting for {@link #release()}; -1 for none
     */
    public Reply {
      parts = List.copyOf(parts);
    }

    /**
     * A server-sent event stream, one event per part.
     *
     * @param events the events, each ending with a blank line
     * @return the reply
     */
    public static Reply sse(List<String> events) {
      return new Reply("text/event-stream", events, -1);
    }

    /**
     * A JSON body in one part.
     *
     * @param json the body
     * @return the reply
     */
    public static Reply json(String json) {
      return new Reply("application/json", List.of(json), -1);
    }

    /**
     * The same reply, waiting for {@link #release()} after {@code parts} parts.
     *
     * @param parts how many parts to send first
     * @return the reply
     */
    public Reply holdAfter(int parts) {
      return new Reply(contentType, this.parts, parts);
    }

    /**
     * The body's length in bytes.
     *
     * @return the UTF-8 length of all parts
     */
    public long length() {
      return bytes(parts.size());
    }

    /**
     * The length in bytes of the first parts.
     *
     * @param count how many parts
     * @return their UTF-8 length
     */
    public long bytes(int count) {
      long n = 0;
      for (int i = 0; i < count; i++) {
        n += parts.get(i).getBytes(StandardCharsets.UTF_8).length;
      }
      return n;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Function<String, Reply> replies;
  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicLong bodyBytes = new AtomicLong();
  private final AtomicLong partsSent = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong handled = new AtomicLong();

  private StreamingBackend(Function<String, Reply> replies) throws IOException {
    this.replies = replies;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /**
   * Starts a backend.
   *
   * @param replies the reply to each request, chosen from the request's body
   * @return the running backend
   * @throws IOException if it cannot listen
   */
  public static StreamingBackend start(Function<String, Reply> replies) throws IOException {
    return new StreamingBackend(replies);
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Reply reply = replies.apply(body);
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      boolean streamed = reply.parts().size() > 1 || reply.holdAfter() >= 0;
      exchange.sendResponseHeaders(200, streamed ? 0 : reply.length());
      OutputStream out = exchange.getResponseBody();
      for (int i = 0; i < reply.parts().size(); i++) {
        if (i == reply.holdAfter()
            && !released.await(Await.DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          return; // nobody released it: end the exchange rather than hang the test
        }
        byte[] part = reply.parts().get(i).getBytes(StandardCharsets.UTF_8);
        // counted before the write: a client may have read the whole part before write() returns
        // here, and must never find a count smaller than what it read
        bodyBytes.addAndGet(part.length);
        out.write(part);
        out.flush();
        partsSent.incrementAndGet();
      }
    } catch (IOException e) {
      // the client left mid-stream: nothing more to send
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      handled.incrementAndGet();
    }
  }

  /**
   * The address of a path on this backend.
   *
   * @param path the path, starting with a slash
   * @return {@code http://127.0.0.1:port/path}
   */
  public URI uri(String path) {
    return URI.create(baseUrl() + path);
  }

  /**
   * The backend's base URL.
   *
   * @return {@code http://127.0.0.1:port}
   */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * The port the backend listens on.
   *
   * @return the port
   */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Lets every held reply send the rest of its parts. */
  public void release() {
    released.countDown();
  }

  /**
   * Waits until the backend has written (and flushed) {@code parts} parts, over all requests.
   *
   * @param parts how many
   */
  public void awaitPartsSent(long parts) {
    Await.until(parts + " parts sent", () -> partsSent.get() >= parts);
  }

  /**
   * Waits until the backend is done with {@code count} requests (sent everything, or saw the client
   * leave).
   *
   * @param count how many
   */
  public void awaitHandled(long count) {
    Await.until(count + " requests handled", () -> handled.get() >= count);
  }

  /**
   * The body bytes handed to the connection, over all requests: each part is counted as its write
   * starts, so a client that read a whole body never finds a smaller count. A part whose write
   * failed (the client left) stays counted: after an abort this is an upper bound of what arrived.
   *
   * @return the count of body bytes
   */
  public long bodyBytesSent() {
    return bodyBytes.get();
  }

  /**
   * The requests received.
   *
   * @return how many
   */
  public long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }
}
