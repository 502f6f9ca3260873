package dev.inflight.activity.servlet.internal;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.ServletActivity;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One tracked request: its {@link RequestActivity}, its wrappers, and the single place that decides
 * how and when it ends.
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>{@link #end} may be called from any thread, any number of times (filter return, exception,
 *       each {@link AsyncListener} callback); only the first call ends the request.
 *   <li>A failed write to the client is remembered, so whichever end comes later reports the
 *       request as {@link EndReason#CLIENT_ABORTED}.
 * </ol>
 */
public final class TrackedExchange implements AsyncListener {

  private static final System.Logger LOG = System.getLogger(TrackedExchange.class.getName());

  private final RequestActivity activity;
  private final TrackedRequest request;
  private final TrackedResponse response;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean async;
  private volatile boolean clientGone;

  private TrackedExchange(
      RequestActivity activity, HttpServletRequest request, HttpServletResponse response) {
    this.activity = activity;
    this.request = new TrackedRequest(request, this);
    this.response = new TrackedResponse(response, this);
  }

  /**
   * Runs the rest of the filter chain for a request that is not tracked yet, with a tracker that is
   * enabled.
   *
   * @param tracker the tracker
   * @param sessionIdHeader the header carrying the session id, or empty for none
   * @param request the request
   * @param response the response
   * @param chain the rest of the chain
   * @throws IOException as thrown by the chain
   * @throws ServletException as thrown by the chain
   */
  public static void run(
      ActivityTracker tracker,
      String sessionIdHeader,
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain)
      throws IOException, ServletException {
    TrackedExchange exchange;
    try {
      String sessionId = sessionIdHeader.isEmpty() ? null : request.getHeader(sessionIdHeader);
      RequestActivity activity = tracker.beginRequest(sessionId);
      if (!activity.isTracking()) {
        chain.doFilter(request, response); // the tracker was closed meanwhile
        return;
      }
      exchange = new TrackedExchange(activity, request, response);
      request.setAttribute(ServletActivity.ATTRIBUTE, activity);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "activity tracking failed to start; request continues untracked", e);
      chain.doFilter(request, response);
      return;
    }
    exchange.filter(chain);
  }

  private void filter(FilterChain chain) throws IOException, ServletException {
    try {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException | Error e) {
      end(Failures.reasonFor(e));
      throw e;
    }
    if (async) {
      return; // the AsyncListener, added inside startAsync, ends the request
    }
    if (lateAsync()) {
      return;
    }
    end(response.writerFailed() ? EndReason.CLIENT_ABORTED : EndReason.COMPLETED);
  }

  /**
   * Catches asynchronous requests started around the filter's wrapper, e.g. by code that unwrapped
   * the request: listen to them now, which is the best that can still be done.
   */
  private boolean lateAsync() {
    try {
      HttpServletRequest original = (HttpServletRequest) request.getRequest();
      if (!original.isAsyncStarted()) {
        return false;
      }
      asyncStarted(original.getAsyncContext());
      return true;
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "could not listen to an async request started around the filter", e);
      return false;
    }
  }

  /** Called by the request wrapper right after {@code startAsync} succeeded. */
  void asyncStarted(AsyncContext context) {
    async = true;
    try {
      context.addListener(this);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not listen to an async request; it ends now", e);
      end(EndReason.ERRORED);
    }
  }

  /** The request wrapper, for {@code startAsync}. */
  TrackedRequest request() {
    return request;
  }

  /** The response wrapper, for {@code startAsync}. */
  TrackedResponse response() {
    return response;
  }

  /** Counts bytes written to the client; never throws. */
  void sent(long bytes) {
    try {
      activity.addTx(bytes);
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "could not count bytes sent", e);
    }
  }

  /** A write or flush to the client failed: the client went away. */
  void clientGone(IOException e) {
    clientGone = true;
  }

  /**
   * Ends the request, once.
   *
   * @param reason why it ended; replaced by {@link EndReason#CLIENT_ABORTED} if a write to the
   *     client failed before
   */
  void end(EndReason reason) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    try {
      activity.end(clientGone ? EndReason.CLIENT_ABORTED : reason);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not end tracked request", e);
    }
  }

  @Override
  public void onComplete(AsyncEvent event) {
    end(EndReason.COMPLETED);
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    end(EndReason.ERRORED);
  }

  @Override
  public void onError(AsyncEvent event) {
    end(Failures.reasonForAsyncError(event.getThrowable()));
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // A new async cycle (startAsync after a dispatch) drops the old listeners: rejoin it.
    @Nullable AsyncContext next = event.getAsyncContext();
    if (next != null && !ended.get()) {
      asyncStarted(next);
    }
  }

  @Override
  public String toString() {
    return "TrackedExchange{" + activity + (ended.get() ? ", ended}" : "}");
  }
}
