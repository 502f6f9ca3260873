package dev.inflight.activity.jetty.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.jetty.ProxyAttachment;
import dev.inflight.activity.servlet.ServletActivity;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Enumeration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Callback;

/** What both tracking proxy servlets and the client hook do, written once. */
public final class ProxyGlue {

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.jetty");
  private static final AtomicBoolean FAILURE_LOGGED = new AtomicBoolean();

  private ProxyGlue() {}

  /**
   * Attaches the client's request to its backend, just before the proxy request is sent. The
   * activity is the one the servlet {@code ActivityFilter} stored in the request.
   *
   * @param attachment how to name the backend, model and type
   * @param clientRequest the client's request
   * @param proxyRequest the request about to be sent to the backend
   */
  public static void attach(
      ProxyAttachment attachment, HttpServletRequest clientRequest, Request proxyRequest) {
    RequestActivity activity = ServletActivity.of(clientRequest);
    if (!activity.isTracking()) {
      return;
    }
    try {
      activity.attach(
          attachment.backend(clientRequest, proxyRequest.getURI()),
          attachment.model(clientRequest),
          attachment.type(clientRequest));
    } catch (RuntimeException e) {
      failed("Attaching a proxied request failed", e);
    }
  }

  /**
   * Counts a chunk received from the backend into the client request's activity, handing its bytes
   * over in place so that the tracker can tell keep-alive comments and a stream's last event from
   * content.
   *
   * @param clientRequest the client's request
   * @param chunk the array holding the chunk
   * @param offset where it starts
   * @param length the chunk's length
   */
  public static void countRx(
      HttpServletRequest clientRequest, byte[] chunk, int offset, int length) {
    if (length > 0) {
      RequestActivity activity = ServletActivity.of(clientRequest);
      if (activity.isTracking()) {
        try {
          activity.addRx(chunk, offset, length);
        } catch (RuntimeException e) {
          failed("Counting received bytes failed", e);
        }
      }
    }
  }

  /**
   * Ends the client request's activity once the proxied exchange failed: Jetty then aborts the
   * client's connection, and the container may never report that request as complete. A failure
   * while writing to the client was already recorded by the filter's counting stream, so the
   * request ends as client-aborted; any other failure (the backend's) ends it as errored. Only the
   * first end counts, so a filter that ends it too changes nothing.
   *
   * @param clientRequest the client's request
   */
  public static void proxyFailed(HttpServletRequest clientRequest) {
    RequestActivity activity = ServletActivity.of(clientRequest);
    if (!activity.isTracking()) {
      return;
    }
    try {
      activity.end(activity.isClientGone() ? EndReason.COMPLETED : EndReason.ERRORED);
    } catch (RuntimeException e) {
      failed("Ending a failed proxied request failed", e);
    }
  }

  /**
   * Records that writing to the client failed, as the filter's stream does for blocking writes, and
   * when that means the client left, ends the request there and then (as {@code client_aborted}),
   * without waiting for the proxy servlet's {@code onProxyResponseFailure}, which follows once
   * Jetty has aborted the proxied exchange.
   *
   * @param clientRequest the client's request
   * @param failure what the write reported
   */
  public static void clientWriteFailed(HttpServletRequest clientRequest, Throwable failure) {
    RequestActivity activity = ServletActivity.of(clientRequest);
    if (!activity.isTracking()) {
      return;
    }
    try {
      activity.clientWriteFailed(failure);
      if (activity.isClientGone()) {
        activity.end(EndReason.COMPLETED); // the client having left, this ends it client_aborted
      }
    } catch (RuntimeException e) {
      failed("Recording a failed write to the client failed", e);
    }
  }

  /**
   * A callback that records a failure as the client leaving before passing it on.
   *
   * @param clientRequest the client's request
   * @param callback the callback of a write to the client
   * @return the recording callback, or {@code callback} itself when the request is not tracked
   */
  public static Callback recordingClientFailure(
      HttpServletRequest clientRequest, Callback callback) {
    if (!ServletActivity.of(clientRequest).isTracking()) {
      return callback;
    }
    return Callback.from(
        callback::succeeded,
        failure -> {
          clientWriteFailed(clientRequest, failure);
          callback.failed(failure);
        });
  }

  /**
   * Counts a received chunk and hands its bytes to the handle; a failure is logged once and
   * swallowed.
   *
   * @param handle where to count
   * @param chunk the bytes, from its position to its limit
   */
  public static void count(ActivityHandle handle, ByteBuffer chunk) {
    try {
      handle.addRx(chunk); // reads position..limit with absolute gets: the buffer is untouched
    } catch (RuntimeException e) {
      failed("Counting received bytes failed", e);
    }
  }

  private static void failed(String what, RuntimeException e) {
    if (FAILURE_LOGGED.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, what, e);
    }
  }

  /**
   * Whether the proxy flushes each chunk to the client: for streamed answers (the attachment says
   * streaming, or the backend answers with server-sent events), whose events must not wait in
   * Jetty's output buffer.
   *
   * @param attachment the servlet's attachment
   * @param clientRequest the client's request
   * @param proxyResponse the backend's response
   * @return true to flush each chunk
   */
  public static boolean flushesEachChunk(
      ProxyAttachment attachment, HttpServletRequest clientRequest, Response proxyResponse) {
    String type = proxyResponse.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
      return true;
    }
    try {
      return attachment.type(clientRequest) == ConnectionType.STREAMING;
    } catch (RuntimeException e) {
      failed("Telling a streamed request failed", e);
      return false;
    }
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

  /**
   * Streaming when the client accepts server-sent events.
   *
   * @param request the client's request
   * @return the type
   */
  public static ConnectionType typeFromAccept(HttpServletRequest request) {
    Enumeration<String> accepts = request.getHeaders("Accept");
    while (accepts != null && accepts.hasMoreElements()) {
      if (accepts.nextElement().toLowerCase(Locale.ROOT).contains("text/event-stream")) {
        return ConnectionType.STREAMING;
      }
    }
    return ConnectionType.NON_STREAMING;
  }
}
