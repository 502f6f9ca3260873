package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/** What the WebFlux filters share: counting that never throws, and the attach defaults. */
public final class Glue {

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.webflux");
  private static final AtomicBoolean FAILURE_LOGGED = new AtomicBoolean();

  /** Whether Netty is on the class path (WebFlux may run on Jetty or Tomcat without it). */
  static final boolean NETTY = present("io.netty.buffer.ByteBuf");

  private Glue() {}

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Glue.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Counts a buffer received from a backend as RX; a failure is logged once and swallowed.
   *
   * @param activity where to count
   * @param buffer the buffer, whose readable bytes are counted; its read position is left as it is
   */
  public static void countRx(RequestActivity activity, DataBuffer buffer) {
    try {
      addRx(activity, buffer);
    } catch (RuntimeException e) {
      failed("Counting received bytes failed", e);
    }
  }

  /**
   * Counts a buffer's readable bytes as RX and hands them to the tracker, which reads a streaming
   * row's chunks (to tell keep-alive comments from content, and to see the stream's last event):
   * each of the buffer's readable byte buffers, read-only views of its memory in order, with {@link
   * RequestActivity#addRx(ByteBuffer)}; a Netty heap buffer (what Reactor Netty's client delivers)
   * through its array, with no view made. Nothing is copied, and the buffer's read position does
   * not move.
   *
   * @param activity where to count
   * @param buffer the buffer
   */
  static void addRx(ActivityHandle activity, DataBuffer buffer) {
    if (buffer.readableByteCount() <= 0 || (NETTY && NettyChunks.addRx(activity, buffer))) {
      return;
    }
    try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
      while (views.hasNext()) {
        activity.addRx(views.next());
      }
    }
  }

  /**
   * Reads a buffer handed on towards the client for the server-sent events it completes, through
   * read-only views of its memory, like {@link #addRx}; its bytes are not counted here.
   *
   * @param activity where to count
   * @param buffer the buffer
   */
  static void countTxEvents(ActivityHandle activity, DataBuffer buffer) {
    if (buffer.readableByteCount() <= 0 || (NETTY && NettyChunks.countTxEvents(activity, buffer))) {
      return;
    }
    try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
      while (views.hasNext()) {
        activity.countTxEvents(views.next());
      }
    }
  }

  /**
   * Counts bytes sent to the client; a failure is logged once and swallowed.
   *
   * @param handle where to count
   * @param bytes how many
   */
  public static void countTx(ActivityHandle handle, long bytes) {
    if (bytes > 0) {
      try {
        handle.addTx(bytes);
      } catch (RuntimeException e) {
        failed("Counting sent bytes failed", e);
      }
    }
  }

  /**
   * Attaches a request to its backend unless it is attached already (the application chose the
   * backend itself); a failure is logged once and swallowed, and the request goes on untracked.
   *
   * @param activity the request's activity
   * @param backend the backend's name
   * @param model the model, or null
   * @param type streaming or not
   */
  public static void attach(
      RequestActivity activity, String backend, @Nullable String model, ConnectionType type) {
    if (!activity.isTracking() || activity.isAttached()) {
      return;
    }
    try {
      activity.attach(backend, model, type);
    } catch (RuntimeException e) {
      failed("Attaching a request to its backend failed", e);
    }
  }

  /**
   * Logs a failure of the tracking code, once, so that a broken tracker cannot flood the log.
   *
   * @param what what failed
   * @param e the failure
   */
  public static void failed(String what, RuntimeException e) {
    if (FAILURE_LOGGED.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, what + " (logged once)", e);
    }
  }

  /**
   * Streaming when the request accepts server-sent events. Read through {@link
   * HttpHeaders#getAccept()}, which Spring Framework 6.2 and 7.0 both have with the same signature
   * (the map-style lookups of {@code HttpHeaders} changed between them, and a call compiled against
   * one fails on the other); an {@code Accept} header that cannot be parsed asks for nothing in
   * particular.
   *
   * @param headers the request's headers
   * @return the connection type
   */
  public static ConnectionType typeFromAccept(HttpHeaders headers) {
    try {
      for (MediaType accepted : headers.getAccept()) {
        if (MediaType.TEXT_EVENT_STREAM.equalsTypeAndSubtype(accepted)) {
          return ConnectionType.STREAMING;
        }
      }
    } catch (InvalidMediaTypeException e) {
      // an Accept header we cannot parse asks for nothing in particular
    }
    return ConnectionType.NON_STREAMING;
  }

  /**
   * A target's {@code host:port}.
   *
   * @param target the URI
   * @return its authority, with the port made explicit
   */
  public static String authority(URI target) {
    int port = target.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
    }
    return target.getHost() + ":" + port;
  }
}
