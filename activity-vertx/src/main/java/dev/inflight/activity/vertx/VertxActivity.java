package dev.inflight.activity.vertx;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.vertx.internal.CountingReadStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
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
