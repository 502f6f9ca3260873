package dev.inflight.activity.vertx;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.vertx.internal.CountingReadStream;
import dev.inflight.activity.vertx.internal.CountingWriteStream;
import dev.inflight.activity.vertx.internal.TrackedResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;

/**
 * Where the proxy code meets the tracking: the request's activity, found in the routing context,
 * and a backend's response body counted as RX as it arrives.
 *
 * <pre>{@code
 * RequestActivity activity = VertxActivity.of(ctx);
 * ActivityHandle h = activity.attach("vllm-1", "llama-3", ConnectionType.STREAMING);
 * client.request(HttpMethod.POST, 8000, "vllm-1", "/v1/chat/completions")
 *     .compose(req -> req.send(ctx.request()))
 *     .onSuccess(resp -> ctx.response()
 *         .putHeader("Content-Type", resp.getHeader("Content-Type"))
 *         .send(VertxActivity.countRx(resp, h)))     // RX here, TX by ActivityHandler
 *     .onFailure(e -> { activity.fail(EndReason.ERRORED); ctx.fail(502, e); });
 * }</pre>
 *
 * <p>RX is counted buffer by buffer as the backend's body arrives (an {@code HttpClientResponse} is
 * a {@code ReadStream<Buffer>}), not when it is finished, so a streamed answer shows its progress
 * live. The bytes are the body's, after HTTP framing (chunk headers are not counted), and each
 * buffer is handed to the tracker in place, so core can tell an SSE stream's keep-alive comments
 * from its content and see its last event.
 */
public final class VertxActivity {

  private VertxActivity() {}

  /**
   * The request's activity, for the proxy code to attach it to its backend.
   *
   * @param ctx the routing context
   * @return the activity {@link ActivityHandler} started, or {@link RequestActivity#disabled()}
   *     when the handler is not mounted or tracking is off; never null
   */
  public static RequestActivity of(RoutingContext ctx) {
    Object activity = ctx.get(ActivityHandler.ATTRIBUTE);
    return activity instanceof RequestActivity
        ? (RequestActivity) activity
        : RequestActivity.disabled();
  }

  /**
   * Tracks a request of a server that does not route with vertx-web (a plain {@code
   * requestHandler}), as {@link ActivityHandler} does on a router: TX is the response's own {@code
   * bytesWritten()}, read every {@link ActivityHandler#DEFAULT_POLL_INTERVAL} and at the end; the
   * request ends once, {@code completed} when the response ended, {@code client_aborted} when its
   * connection closed or its HTTP/2 stream was reset before. Call it first in the request handler,
   * on the request's context, and attach the returned activity to the backend.
   *
   * <pre>{@code
   * server.requestHandler(request -> {
   *   RequestActivity activity = VertxActivity.track(tracker, request);
   *   activity.attach("vllm-1", "llama-3", ConnectionType.STREAMING);
   *   ...
   * });
   * }</pre>
   *
   * <p>The response's end, close and exception handlers stay the application's (they hold one
   * handler each): with no routing context to share end handlers with, the timer alone sees the
   * end, so a row ends up to one interval after its response, and every tracked request has a timer
   * until then. The session id comes from the {@value RequestActivity#DEFAULT_SESSION_HEADER}
   * header. The body of a {@code HEAD} response is not counted. Tracking never fails the request.
   *
   * @param tracker the tracker; when it is off nothing is done
   * @param request the request, in the server's request handler
   * @return the request's activity, {@link RequestActivity#disabled()} when tracking is off
   */
  public static RequestActivity track(ActivityTracker tracker, HttpServerRequest request) {
    Objects.requireNonNull(tracker, "tracker");
    Objects.requireNonNull(request, "request");
    if (!tracker.isEnabled()) {
      return RequestActivity.disabled();
    }
    return TrackedResponse.beginCore(
        tracker,
        RequestActivity.DEFAULT_SESSION_HEADER,
        request,
        ActivityHandler.DEFAULT_POLL_INTERVAL.toMillis());
  }

  /**
   * A sink that counts each buffer written into it as RX of {@code handle}, then writes it into
   * {@code sink}: for a backend's body that is piped rather than read, such as the WebClient's
   * {@code BodyCodec.pipe}. Nothing is buffered; TX is counted by {@link ActivityHandler} as usual.
   *
   * <pre>{@code
   * ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
   * webClient.post(8000, "vllm-1", "/v1/chat/completions")
   *     .as(BodyCodec.pipe(VertxActivity.countRxInto(ctx.response(), handle)))
   *     .sendJson(body);                        // RX as each buffer arrives, the body ends the response
   * }</pre>
   *
   * @param sink where the body goes, e.g. the client's response
   * @param handle where to count: the request's activity once attached
   * @return a counting sink, or {@code sink} itself when {@code handle} counts nothing
   */
  public static WriteStream<Buffer> countRxInto(WriteStream<Buffer> sink, ActivityHandle handle) {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(handle, "handle");
    if (handle == ActivityHandle.noop() || handle == RequestActivity.disabled()) {
      return sink;
    }
    return new CountingWriteStream(sink, handle);
  }

  /**
   * A backend's body that counts each buffer as RX of {@code handle} on its way to the handler the
   * application sets on it. Read the body through the returned stream, in place of the original
   * (set its handlers there, or pipe or {@code send} it): every call goes to the original, and the
   * handlers set on the returned stream are set on the original, wrapped, and no others. A body
   * that fails, seen through an exception handler set on the returned stream (a pipe always sets
   * one), records the request as {@code errored} when {@code handle} is a {@link RequestActivity}.
   *
   * @param body the backend's body, e.g. an {@code HttpClientResponse}, before it is read
   * @param handle where to count: the request's activity once attached, or a handle of the tracker
   * @return a counting stream, or {@code body} itself when {@code handle} counts nothing (tracking
   *     off)
   */
  public static ReadStream<Buffer> countRx(ReadStream<Buffer> body, ActivityHandle handle) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(handle, "handle");
    if (handle == ActivityHandle.noop() || handle == RequestActivity.disabled()) {
      return body;
    }
    return new CountingReadStream(body, handle);
  }
}
