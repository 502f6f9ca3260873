package dev.inflight.activity.servlet.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server-sent-event backend on a bare socket at 127.0.0.1, driven step by step by the test: each
 * accepted request gets a {@code 200 text/event-stream} head with a chunked body, then exactly what
 * the test sends through its {@link Stream}, when it sends it: an event, a keep-alive comment,
 * nothing for as long as the test likes (a stalled backend), the body's end, or an abrupt close (a
 * reset, without the body's last chunk). Each part is written as one chunk and flushed, and
 * counted, so a test knows to the byte what the proxy can have read from it.
 *
 * <pre>{@code
 * try (SseBackend backend = SseBackend.start()) {
 *   ... the proxy calls backend.port() ...
 *   SseBackend.Stream s = backend.awaitStream();
 *   s.send("data: {\"text\":\"Hel\"}\n\n");
 *   s.send(": ping\n\n");
 *   s.reset();
 * }
 * }</pre>
 *
 * <p>Thread-safety: the accepting thread hands streams to the test through a queue; a stream is
 * written by one test thread.
 */
public final class SseBackend implements AutoCloseable {

  private static final long WAIT_SECONDS = 10;

  private final ServerSocket server;
  private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
  private final Thread acceptor;

  private SseBackend(ServerSocket server) {
    this.server = server;
    this.acceptor = new Thread(this::acceptAll, "sse-backend-" + server.getLocalPort());
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  /**
   * Starts a backend on an ephemeral port of 127.0.0.1.
   *
   * @return the running backend
   * @throws IOException if the port cannot be bound
   */
  public static SseBackend start() throws IOException {
    return new SseBackend(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  /**
   * The port the backend listens on.
   *
   * @return the port
   */
  public int port() {
    return server.getLocalPort();
  }

  /**
   * The backend's base URL.
   *
   * @return {@code http://127.0.0.1:<port>}
   */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  private void acceptAll() {
    try {
      while (!server.isClosed()) {
        accepted.add(server.accept());
      }
    } catch (IOException e) {
      // closed
    }
  }

  /**
   * Waits for the next request, reads its head, and answers with the stream's head.
   *
   * @return the stream, to send its body part by part
   * @throws IOException if the request cannot be read or answered
   * @throws InterruptedException if interrupted while waiting
   */
  public Stream awaitStream() throws IOException, InterruptedException {
    Socket socket = accepted.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (socket == null) {
      throw new IllegalStateException("no request reached the backend in " + WAIT_SECONDS + " s");
    }
    socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    readHead(socket.getInputStream());
    OutputStream out = socket.getOutputStream();
    out.write(
        ("HTTP/1.1 200 OK\r\n"
                + "Content-Type: text/event-stream\r\n"
                + "Cache-Control: no-cache\r\n"
                + "Transfer-Encoding: chunked\r\n"
                + "\r\n")
            .getBytes(ISO_8859_1));
    out.flush();
    return new Stream(socket);
  }

  /** Reads a request head up to its blank line; the proxies' requests have no body. */
  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the request ended before its head did");
      }
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s; (s = accepted.poll()) != null; ) {
      closeQuietly(s);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** One response body, sent by the test part by part. */
  public static final class Stream implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private long bodyBytesSent;
    private boolean closed;

    private Stream(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
    }

    /**
     * Sends one part of the body as a chunk of its own, flushed.
     *
     * @param part the text, UTF-8
     * @return the number of body bytes it took
     */
    public int send(String part) {
      byte[] bytes = part.getBytes(UTF_8);
      try {
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(ISO_8859_1));
        out.write(bytes);
        out.write(new byte[] {'\r', '\n'});
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      bodyBytesSent += bytes.length;
      return bytes.length;
    }

    /**
     * Body bytes sent so far (chunk framing not counted): what a client's RX should show.
     *
     * @return the total
     */
    public long bodyBytesSent() {
      return bodyBytesSent;
    }

    /** Ends the body properly (the last chunk) and closes the connection. */
    public void finish() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        out.write("0\r\n\r\n".getBytes(ISO_8859_1));
        out.flush();
      } catch (IOException e) {
        // the proxy left first: the close below is all that is left to do
      }
      closeQuietly(socket);
    }

    /**
     * Closes the connection abruptly, without the body's last chunk: the connection is reset, so
     * the proxy's next read of the body fails.
     */
    public void reset() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        socket.setSoLinger(true, 0);
      } catch (SocketException e) {
        // closed already
      }
      closeQuietly(socket);
    }

    /** Resets the stream unless it ended already. */
    @Override
    public void close() {
      reset();
    }
  }
}
