package dev.inflight.activity.testing;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * A low-level HTTP/2 client for tests, on Jetty's {@code HTTP2Client}: it opens connections in
 * clear text with prior knowledge ({@code h2c}) or over TLS with ALPN ({@code h2}, trusting {@link
 * TestCertificate} only), opens streams on them, counts the DATA bytes each stream receives, resets
 * a stream ({@code RST_STREAM CANCEL}) and drops a connection's socket without a {@code GOAWAY}, so
 * a test can do to a server exactly what a browser or a proxy's client does to it.
 *
 * <p>Every wait is bounded by {@link Await#DEFAULT_TIMEOUT} and woken by the event it waits for,
 * never by sleeping.
 *
 * <pre>{@code
 * try (H2TestClient client = H2TestClient.start()) {
 *   H2TestClient.Connection connection = client.connectTls(port);
 *   H2TestClient.Exchange first = connection.get("/v1/stream", Map.of("X-Session-Id", "s1"));
 *   first.awaitBytes(1024);
 *   first.reset();
 *   H2TestClient.Exchange second = connection.get("/v1/small", Map.of());
 *   assertThat(second.awaitEnd()).isEqualTo(H2TestClient.End.COMPLETED);
 *   assertThat(second.status()).isEqualTo(200);
 *   assertThat(second.dataBytes()).isEqualTo(expectedBytes);
 * }
 * }</pre>
 *
 * <p>Thread safety:
 *
 * <ol>
 *   <li>A client, its connections and their exchanges may be used from any thread.
 *   <li>An exchange's counters are written by the client's threads and read under the exchange's
 *       monitor, so a value read after an {@code await...} call includes everything before the
 *       event awaited.
 * </ol>
 */
public final class H2TestClient implements AutoCloseable {

  /** How a stream ended, as the client saw it. */
  public enum End {
    /** The server ended the stream normally (the last DATA or trailer frame). */
    COMPLETED,
    /** This client reset the stream ({@link Exchange#reset()}). */
    RESET_BY_CLIENT,
    /** The server reset the stream ({@code RST_STREAM}); see {@link Exchange#resetError()}. */
    RESET_BY_SERVER,
    /** This client dropped the connection's socket ({@link Connection#drop()}). */
    DROPPED,
    /** The stream or its connection failed otherwise (a {@code GOAWAY}, a closed socket). */
    FAILED
  }

  /** How many body bytes an exchange keeps for {@link Exchange#bodyText()}; all are counted. */
  public static final int KEPT_BODY_BYTES = 64 * 1024;

  private final HTTP2Client client;
  private final QueuedThreadPool threads;

  private H2TestClient(HTTP2Client client, QueuedThreadPool threads) {
    this.client = client;
    this.threads = threads;
  }

  /**
   * Starts a client; close it when done.
   *
   * @return the started client
   * @throws IllegalStateException if Jetty's client cannot start
   */
  public static H2TestClient start() {
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("h2-test-client");
    ClientConnector connector = new ClientConnector();
    connector.setExecutor(threads);
    connector.setSelectors(1);
    connector.setConnectTimeout(Duration.ofSeconds(10));
    SslContextFactory.Client tls = new SslContextFactory.Client();
    tls.setSslContext(TestCertificate.get().clientContext());
    connector.setSslContextFactory(tls);
    HTTP2Client client = new HTTP2Client(connector);
    try {
      client.start();
    } catch (Exception e) {
      throw new IllegalStateException("could not start the HTTP/2 test client", e);
    }
    return new H2TestClient(client, threads);
  }

  /**
   * Connects to {@code 127.0.0.1:port} in clear text, sending the HTTP/2 preface at once (prior
   * knowledge, no HTTP/1.1 upgrade).
   *
   * @param port the server's port
   * @return the connection, its preface exchanged
   * @throws AssertionError if it cannot connect in time
   */
  public Connection connectH2c(int port) {
    Connection connection = new Connection("http", port, false);
    connection.session =
        join(
            client.connect(new InetSocketAddress("127.0.0.1", port), connection.listener()),
            "an h2c connection to port " + port);
    return connection;
  }

  /**
   * Connects to {@code 127.0.0.1:port} over TLS, offering only {@code h2} through ALPN and trusting
   * only {@link TestCertificate}; fails if the server does not choose {@code h2}.
   *
   * @param port the server's TLS port
   * @return the connection, its preface exchanged
   * @throws AssertionError if it cannot connect in time, or the server does not speak h2
   */
  public Connection connectTls(int port) {
    Connection connection = new Connection("https", port, true);
    SslContextFactory.Client tls = client.getClientConnector().getSslContextFactory();
    connection.session =
        join(
            client.connect(tls, new InetSocketAddress("127.0.0.1", port), connection.listener()),
            "an h2 (TLS, ALPN) connection to port " + port);
    return connection;
  }

  /**
   * Connects in clear text or over TLS.
   *
   * @param port the server's port
   * @param tls whether to use TLS with ALPN ({@link #connectTls}) or prior knowledge ({@link
   *     #connectH2c})
   * @return the connection
   */
  public Connection connect(int port, boolean tls) {
    return tls ? connectTls(port) : connectH2c(port);
  }

  /** Stops the client, closing every connection it still has. */
  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      throw new IllegalStateException("could not stop the HTTP/2 test client", e);
    } finally {
      try {
        threads.stop();
      } catch (Exception ignored) {
        // stopped with the client already, or interrupted: nothing left to release
      }
    }
  }

  private static <T> T join(CompletableFuture<T> future, String what) {
    try {
      return future.get(Await.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + what, e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + Await.DEFAULT_TIMEOUT + ": " + what, e);
    }
  }

  /** One HTTP/2 connection: many streams, each an {@link Exchange}. */
  public static final class Connection implements AutoCloseable {
    private final String scheme;
    private final int port;
    private final boolean tls;
    private final List<Exchange> exchanges = new ArrayList<>();
    private @Nullable Session session;

    private Connection(String scheme, int port, boolean tls) {
      this.scheme = scheme;
      this.port = port;
      this.tls = tls;
    }

    private Session.Listener listener() {
      return new Session.Listener() {
        @Override
        public void onFailure(Session s, Throwable failure, Callback callback) {
          failAll(End.FAILED);
          callback.succeeded();
        }

        @Override
        public void onClose(Session s, GoAwayFrame frame, Callback c) {
          failAll(End.FAILED);
          c.succeeded();
        }
      };
    }

    /**
     * Whether this connection went over TLS.
     *
     * @return true for {@code h2}, false for {@code h2c}
     */
    public boolean isTls() {
      return tls;
    }

    /**
     * The protocol spoken: {@code h2c} in clear text, else what the server chose through ALPN.
     *
     * @return {@code h2c}, {@code h2}, or the empty string when TLS negotiated no protocol
     */
    public String protocol() {
      EndPoint endPoint = ((HTTP2Session) session()).getEndPoint();
      if (endPoint instanceof SslConnection.SslEndPoint) {
        String chosen =
            ((SslConnection.SslEndPoint) endPoint)
                .getSslConnection()
                .getSSLEngine()
                .getApplicationProtocol();
        return chosen == null ? "" : chosen;
      }
      return "h2c";
    }

    /**
     * Opens a GET stream (HEADERS with END_STREAM).
     *
     * @param path the path and query, starting with {@code /}
     * @param headers request headers (names in any case; sent in lower case as HTTP/2 requires)
     * @return the exchange, its HEADERS frame sent
     */
    public Exchange get(String path, Map<String, String> headers) {
      return open("GET", path, headers, null);
    }

    /**
     * Opens a POST stream with a body (HEADERS, then one DATA frame with END_STREAM).
     *
     * @param path the path and query, starting with {@code /}
     * @param headers request headers
     * @param body the request body
     * @return the exchange, its HEADERS and DATA frames sent
     */
    public Exchange post(String path, Map<String, String> headers, byte[] body) {
      return open("POST", path, headers, body);
    }

    /**
     * Opens a stream.
     *
     * @param method the method
     * @param path the path and query, starting with {@code /}
     * @param headers request headers
     * @param body the request body, or null for none (HEADERS then end the stream)
     * @return the exchange
     */
    public Exchange open(
        String method, String path, Map<String, String> headers, byte @Nullable [] body) {
      Session s = session();
      HttpFields.Mutable fields = HttpFields.build();
      headers.forEach((name, value) -> fields.put(name.toLowerCase(Locale.ROOT), value));
      if (body != null) {
        fields.put("content-length", Integer.toString(body.length));
      }
      MetaData.Request request =
          new MetaData.Request(
              method,
              HttpURI.from(scheme + "://127.0.0.1:" + port + path),
              HttpVersion.HTTP_2,
              fields);
      Exchange exchange = new Exchange(this, method + " " + path);
      synchronized (exchanges) {
        exchanges.add(exchange);
      }
      Stream stream =
          join(
              s.newStream(new HeadersFrame(request, null, body == null), exchange.listener()),
              "a new stream for " + method + " " + path);
      exchange.stream = stream;
      if (body != null) {
        join(
            stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(body), true)),
            "the request body of " + method + " " + path);
      }
      return exchange;
    }

    /**
     * Drops the socket at once: no {@code GOAWAY}, no TLS {@code close_notify}; the server sees the
     * connection end under every open stream. Every exchange not yet ended ends {@link
     * End#DROPPED}.
     */
    public void drop() {
      failAll(End.DROPPED);
      EndPoint endPoint = ((HTTP2Session) session()).getEndPoint();
      // under TLS the session's end point is the decrypting one; close the socket beneath it
      if (endPoint instanceof SslConnection.SslEndPoint) {
        endPoint = ((SslConnection.SslEndPoint) endPoint).getSslConnection().getEndPoint();
      }
      endPoint.close();
    }

    /**
     * Whether the connection is closed (by {@link #close()}, {@link #drop()} or the server).
     *
     * @return true once closed
     */
    public boolean isClosed() {
      return session().isClosed();
    }

    /**
     * The exchanges opened on this connection so far.
     *
     * @return a copy, in the order they were opened
     */
    public List<Exchange> exchanges() {
      synchronized (exchanges) {
        return List.copyOf(exchanges);
      }
    }

    /** Closes the connection gracefully, with a {@code GOAWAY}. */
    @Override
    public void close() {
      Session s = session;
      if (s != null && !s.isClosed()) {
        s.close(ErrorCode.NO_ERROR.code, "test done", Callback.NOOP);
      }
    }

    private Session session() {
      Session s = session;
      if (s == null) {
        throw new IllegalStateException("not connected");
      }
      return s;
    }

    private void failAll(End end) {
      for (Exchange exchange : exchanges()) {
        exchange.end(end, -1);
      }
    }
  }

  /** One stream: its response status, the DATA bytes it received, and how it ended. */
  public static final class Exchange {
    private final Connection connection;
    private final String description;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private volatile @Nullable Stream stream;
    private int status;
    private long dataBytes;
    private int dataFrames;
    private @Nullable End end;
    private int resetError = -1;

    private Exchange(Connection connection, String description) {
      this.connection = connection;
      this.description = description;
    }

    private Stream.Listener listener() {
      return new Stream.Listener() {
        @Override
        public void onHeaders(Stream s, HeadersFrame frame) {
          MetaData metaData = frame.getMetaData();
          if (metaData instanceof MetaData.Response) {
            int code = ((MetaData.Response) metaData).getStatus();
            synchronized (Exchange.this) {
              // an interim 1xx response is followed by the real one
              if (code >= 200 || status == 0) {
                status = code;
              }
              Exchange.this.notifyAll();
            }
          }
          if (frame.isEndStream()) {
            end(End.COMPLETED, -1);
          } else {
            s.demand();
          }
        }

        @Override
        public void onDataAvailable(Stream s) {
          while (true) {
            Stream.Data data = s.readData();
            if (data == null) {
              s.demand();
              return;
            }
            boolean last = data.frame().isEndStream();
            received(data.frame().getByteBuffer());
            data.release();
            if (last) {
              end(End.COMPLETED, -1);
              return;
            }
          }
        }

        @Override
        public void onReset(Stream s, ResetFrame frame, Callback callback) {
          end(End.RESET_BY_SERVER, frame.getError());
          callback.succeeded();
        }

        @Override
        public void onFailure(
            Stream s, int error, String reason, Throwable failure, Callback callback) {
          end(End.FAILED, error);
          callback.succeeded();
        }
      };
    }

    private synchronized void received(ByteBuffer buffer) {
      int n = buffer.remaining();
      if (n == 0) {
        notifyAll();
        return;
      }
      dataFrames++;
      dataBytes += n;
      int keep = Math.min(n, KEPT_BODY_BYTES - kept.size());
      if (keep > 0) {
        byte[] bytes = new byte[keep];
        buffer.duplicate().get(bytes);
        kept.write(bytes, 0, keep);
      }
      notifyAll();
    }

    private synchronized void end(End how, int error) {
      if (end == null) {
        end = how;
        resetError = error;
        notifyAll();
      }
    }

    /**
     * Resets the stream with {@code RST_STREAM CANCEL} (as a browser does when a tab closes) and
     * waits until the frame was written. The exchange ends {@link End#RESET_BY_CLIENT} unless it
     * had ended already.
     */
    public void reset() {
      Stream s = stream;
      if (s == null) {
        throw new IllegalStateException("stream not open: " + description);
      }
      end(End.RESET_BY_CLIENT, ErrorCode.CANCEL_STREAM_ERROR.code);
      join(
          s.reset(new ResetFrame(s.getId(), ErrorCode.CANCEL_STREAM_ERROR.code)),
          "RST_STREAM of " + description);
    }

    /**
     * The stream's id on its connection.
     *
     * @return the id (odd, as for every stream a client opens)
     */
    public int streamId() {
      Stream s = stream;
      return s == null ? 0 : s.getId();
    }

    /**
     * The connection this stream is on.
     *
     * @return the connection
     */
    public Connection connection() {
      return connection;
    }

    /**
     * Waits for the response headers and returns the status.
     *
     * @return the HTTP status
     * @throws AssertionError if no response headers arrive in time (or the stream ended without)
     */
    public synchronized int status() {
      return awaitState("the response headers", e -> e.status != 0 || e.end != null).status;
    }

    /**
     * The DATA bytes received so far (padding excluded).
     *
     * @return the count
     */
    public synchronized long dataBytes() {
      return dataBytes;
    }

    /**
     * The non-empty DATA frames received so far.
     *
     * @return the count
     */
    public synchronized int dataFrames() {
      return dataFrames;
    }

    /**
     * The first {@link #KEPT_BODY_BYTES} bytes of the body received so far, as UTF-8.
     *
     * @return the text
     */
    public synchronized String bodyText() {
      return kept.toString(StandardCharsets.UTF_8);
    }

    /**
     * How the stream ended, if it did.
     *
     * @return the end, or null while it is open
     */
    public synchronized @Nullable End end() {
      return end;
    }

    /**
     * The error code of a reset or failure, {@code -1} when none.
     *
     * @return the HTTP/2 error code
     */
    public synchronized int resetError() {
      return resetError;
    }

    /**
     * Waits until at least {@code n} DATA bytes arrived.
     *
     * @param n the count to wait for
     * @return this exchange
     * @throws AssertionError if they do not arrive in time, or the stream ends before
     */
    public synchronized Exchange awaitBytes(long n) {
      awaitState(n + " DATA bytes", x -> x.dataBytes >= n || x.end != null);
      if (dataBytes < n) {
        throw new AssertionError(
            description + " ended " + end + " after " + dataBytes + " of " + n + " bytes");
      }
      return this;
    }

    /**
     * Waits until the stream ends, however it ends.
     *
     * @return how it ended
     * @throws AssertionError if it does not end in time
     */
    public synchronized End awaitEnd() {
      End e = awaitState("the end of the stream", x -> x.end != null).end;
      if (e == null) {
        throw new IllegalStateException("ended without an end");
      }
      return e;
    }

    private synchronized Exchange awaitState(String what, Predicate<Exchange> condition) {
      long deadline = System.nanoTime() + Await.DEFAULT_TIMEOUT.toNanos();
      while (!condition.test(this)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "timed out after "
                  + Await.DEFAULT_TIMEOUT
                  + " waiting for "
                  + what
                  + " of "
                  + description
                  + " (status "
                  + status
                  + ", "
                  + dataBytes
                  + " bytes)");
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + what, ex);
        }
      }
      return this;
    }

    @Override
    public synchronized String toString() {
      return description
          + " stream "
          + streamId()
          + ": status "
          + status
          + ", "
          + dataBytes
          + " DATA bytes, "
          + (end == null ? "open" : end.toString());
    }
  }
}
