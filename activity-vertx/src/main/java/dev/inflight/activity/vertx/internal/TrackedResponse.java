package dev.inflight.activity.vertx.internal;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.Failures;
import dev.inflight.activity.RequestActivity;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.jspecify.annotations.Nullable;

/**
 * One tracked request: begins its {@link RequestActivity}, stores it in the routing context, counts
 * the response's {@link HttpServerResponse#bytesWritten()} as TX from a periodic timer of the
 * request's context and at the end, and ends the activity exactly once.
 *
 * <p>Where the end comes from:
 *
 * <ol>
 *   <li>vertx-web's end handlers ({@link RoutingContext#addEndHandler}): a response that ended is
 *       {@code completed}; one that did not (the connection closed, an HTTP/2 reset, any exception
 *       the response reported before its end, an HTTP/2 stream closed under it) is {@code
 *       client_aborted}. A failed routing context adds {@code errored}, the most severe reason
 *       winning in core.
 *   <li>On HTTP/2 a response that ended may still have body bytes queued behind the stream's flow
 *       control, not yet in {@code bytesWritten()}; such a request ends when the timer sees the
 *       stream closed, with every byte counted.
 *   <li>The timer also ends a request whose response ended or closed without vertx-web telling (the
 *       application replaced the response's handlers vertx-web listens through).
 * </ol>
 *
 * <p>Thread-safety: the end handlers and the timer run on the request's context, but a response may
 * be ended from another thread, which then runs the end handlers itself, while holding the
 * connection's lock. No lock is taken here: the counted total moves by compare-and-set, so each
 * byte is added once, and a flag lets only the first end through.
 */
public final class TrackedResponse implements Handler<AsyncResult<Void>> {

  private static final AtomicLongFieldUpdater<TrackedResponse> COUNTED =
      AtomicLongFieldUpdater.newUpdater(TrackedResponse.class, "counted");
  private static final AtomicIntegerFieldUpdater<TrackedResponse> ENDED =
      AtomicIntegerFieldUpdater.newUpdater(TrackedResponse.class, "ended");

  /** The timer's id before it is set. */
  private static final long NO_TIMER = -1;

  /** The routing context, or null for a request of a core-only server ({@link #beginCore}). */
  private final @Nullable RoutingContext ctx;

  private final HttpServerResponse response;
  private final RequestActivity activity;
  private final Vertx vertx;
  private final boolean countBody;
  private final boolean http2;

  /** Body bytes already added as TX: the last {@code bytesWritten()} counted. */
  private volatile long counted;

  /** 1 once the activity was ended. */
  private volatile int ended;

  /** The response ended on HTTP/2; the request ends once the stream closed. */
  private volatile boolean awaitingClose;

  private volatile long timer = NO_TIMER;

  private TrackedResponse(
      @Nullable RoutingContext ctx,
      Vertx vertx,
      HttpServerRequest request,
      RequestActivity activity,
      boolean countBody) {
    this.ctx = ctx;
    this.response = request.response();
    this.activity = activity;
    this.vertx = vertx;
    this.countBody = countBody;
    this.http2 = request.version() == HttpVersion.HTTP_2;
  }

  /**
   * Starts tracking a request, with a tracker that is enabled; the caller then calls {@code
   * ctx.next()}, and {@link #startPolling} once it returned. Never throws: a failure is logged once
   * and the request goes on untracked.
   *
   * @param tracker the tracker
   * @param sessionHeader the header carrying the session id, or null for none
   * @param attribute the routing context key to store the activity under
   * @param ctx the routing context
   * @return the tracked response, or null if the request is not tracked
   */
  public static @Nullable TrackedResponse begin(
      ActivityTracker tracker,
      @Nullable String sessionHeader,
      String attribute,
      RoutingContext ctx) {
    try {
      HttpServerRequest request = ctx.request();
      RequestActivity activity =
          tracker.beginRequest(sessionHeader == null ? null : request.getHeader(sessionHeader));
      if (!activity.isTracking()) {
        return null; // the tracker was closed meanwhile
      }
      ctx.put(attribute, activity);
      // a HEAD response's body is dropped by the server, so it is not counted
      TrackedResponse tracked =
          new TrackedResponse(
              ctx, ctx.vertx(), request, activity, !HttpMethod.HEAD.equals(request.method()));
      ctx.addEndHandler(tracked);
      return tracked;
    } catch (RuntimeException e) {
      Glue.failed("Activity tracking failed to start; the request continues untracked", e);
      return null;
    }
  }

  /**
   * Starts tracking a request of a core-only server (no vertx-web), with a tracker that is enabled,
   * and starts the timer at once: with no routing context there are no end handlers to share, and
   * the response's own end, close and exception handlers are the application's, so the timer alone
   * sees the end, by {@code ended()} and {@code closed()}, within one interval. Never throws.
   *
   * @param tracker the tracker
   * @param sessionHeader the header carrying the session id, or null for none
   * @param request the request, on its own context (in the server's request handler)
   * @param pollMillis how often the open response is read
   * @return the request's activity, {@link RequestActivity#disabled()} if it is not tracked
   */
  public static RequestActivity beginCore(
      ActivityTracker tracker,
      @Nullable String sessionHeader,
      HttpServerRequest request,
      long pollMillis) {
    try {
      io.vertx.core.Context context = Vertx.currentContext();
      if (context == null) {
        throw new IllegalStateException("not on a Vert.x context: call it in the request handler");
      }
      RequestActivity activity =
          tracker.beginRequest(sessionHeader == null ? null : request.getHeader(sessionHeader));
      if (!activity.isTracking()) {
        return RequestActivity.disabled();
      }
      TrackedResponse tracked =
          new TrackedResponse(
              null, context.owner(), request, activity, !HttpMethod.HEAD.equals(request.method()));
      tracked.startPolling(pollMillis);
      return activity;
    } catch (RuntimeException e) {
      Glue.failed("Activity tracking failed to start; the request continues untracked", e);
      return RequestActivity.disabled();
    }
  }

  /**
   * Starts the timer that reads the open response, unless the request ended already: a response the
   * handlers after {@link #begin} ended before returning (a plain JSON answer, an error page) never
   * gets one. Never throws.
   *
   * @param pollMillis how often the open response is read
   */
  public void startPolling(long pollMillis) {
    if (ended != 0) {
      return;
    }
    try {
      long id = vertx.setPeriodic(pollMillis, this::poll);
      timer = id;
      if (ended != 0) {
        vertx.cancelTimer(id); // it ended while the timer was being set
      }
    } catch (RuntimeException e) {
      Glue.failed("Polling a response's written bytes failed to start", e);
    }
  }

  /**
   * vertx-web's end handlers: called once, when the response ended, failed or was closed. Whether
   * the response ended decides, not whether vertx-web reports a success: on HTTP/2 a response ended
   * from a thread other than the stream's may see its stream close, on the event loop, before the
   * ending thread calls the response's end handler, and vertx-web then reports the close as a
   * failure ({@code "Connection closed"}) of a response that had ended. A reset or a lost
   * connection reported before the end leaves the response not ended.
   */
  @Override
  public void handle(AsyncResult<Void> result) {
    try {
      if (!response.ended()) {
        end(EndReason.CLIENT_ABORTED);
      } else if (http2 && countBody && !response.closed()) {
        awaitingClose = true; // the timer ends it once the stream's last bytes went out
      } else {
        end(EndReason.COMPLETED);
      }
    } catch (RuntimeException e) {
      Glue.failed("Ending a tracked request failed", e);
    }
  }

  /** The timer: counts what was written since the last tick, and ends what ended unnoticed. */
  private void poll(long timerId) {
    try {
      if (ended != 0) {
        vertx.cancelTimer(timerId);
        return;
      }
      if (response.closed()) {
        end(response.ended() ? EndReason.COMPLETED : EndReason.CLIENT_ABORTED);
      } else if (response.ended() && !awaitingClose && !(http2 && countBody)) {
        end(EndReason.COMPLETED); // vertx-web was not told: its response handlers were replaced
      } else {
        countWritten();
      }
    } catch (RuntimeException e) {
      Glue.failed("Counting a response's written bytes failed", e);
    }
  }

  /** Adds the bytes the response wrote since they were last counted. */
  private void countWritten() {
    if (!countBody) {
      return;
    }
    long written = response.bytesWritten();
    for (long before = counted; written > before; before = counted) {
      if (COUNTED.compareAndSet(this, before, written)) {
        activity.addTx(written - before);
        return;
      }
    }
  }

  private void end(EndReason reason) {
    if (!ENDED.compareAndSet(this, 0, 1)) {
      return;
    }
    long id = timer;
    if (id != NO_TIMER) {
      vertx.cancelTimer(id);
    }
    countWritten();
    RoutingContext c = ctx;
    EndReason failure = c == null ? null : failure(c);
    if (failure != null) {
      activity.fail(failure);
    }
    activity.end(reason);
  }

  /**
   * How the routing context failed, if it did: {@code ctx.fail(throwable)} (a handler that threw
   * included) as core's {@link Failures#reasonFor} classifies it, {@code ctx.fail(status)} with a
   * 5xx status as errored; a 4xx status is the application's answer, not a failure of the request.
   */
  private static @Nullable EndReason failure(RoutingContext ctx) {
    if (!ctx.failed()) {
      return null;
    }
    Throwable failure = ctx.failure();
    if (failure != null) {
      return Failures.reasonFor(failure);
    }
    return ctx.statusCode() >= 500 ? EndReason.ERRORED : null;
  }

  @Override
  public String toString() {
    return "TrackedResponse{" + activity + ", tx=" + counted + "}";
  }
}
