package dev.inflight.activity.servlet.internal;

import dev.inflight.activity.ActivityScope;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.Failures;
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
import org.jspecify.annotations.Nullable;

/**
 * One tracked request: its {@link RequestActivity}, its wrappers, and the place that decides when
 * it ends. How it ends is core's rule: the most severe of the adapter's reason and what was
 * recorded meanwhile (a failed write towards the client, the application's {@link
 * RequestActivity#fail}, a write past {@code Content-Length}); only the first end counts, from
 * whichever thread (filter return, exception, each {@link AsyncListener} callback).
 */
public final class TrackedExchange implements AsyncListener {

  private static final System.Logger LOG = System.getLogger(TrackedExchange.class.getName());

  private final RequestActivity activity;
  private final TrackedRequest request;
  private final TrackedResponse response;
  private volatile boolean async;
  private volatile boolean published;

  private TrackedExchange(
      RequestActivity activity, HttpServletRequest request, HttpServletResponse response) {
    this.activity = activity;
    this.request = new TrackedRequest(request, this);
    this.response =
        new TrackedResponse(response, activity, "HEAD".equals(request.getMethod()), this);
  }

  /**
   * Runs the rest of the filter chain for a request that is not tracked yet, with a tracker that is
   * enabled.
   *
   * @param tracker the tracker
   * @param sessionHeader the header carrying the session id, or empty for none
   * @param request the request
   * @param response the response
   * @param chain the rest of the chain
   * @throws IOException as thrown by the chain
   * @throws ServletException as thrown by the chain
   */
  public static void run(
      ActivityTracker tracker,
      String sessionHeader,
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain)
      throws IOException, ServletException {
    TrackedExchange exchange;
    try {
      String sessionId = sessionHeader.isEmpty() ? null : request.getHeader(sessionHeader);
      RequestActivity activity = tracker.beginRequest(sessionId);
      if (!activity.isTracking()) {
        chain.doFilter(request, response); // the tracker was closed meanwhile
        return;
      }
      exchange = new TrackedExchange(activity, request, response);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "activity tracking failed to start; request continues untracked", e);
      chain.doFilter(request, response);
      return;
    }
    exchange.filter(chain);
  }

  @SuppressWarnings("try") // the scope is opened for its effect on the thread
  private void filter(FilterChain chain) throws IOException, ServletException {
    // current for the dispatch, so that client hooks (OkHttp, HttpClient 5) find it
    try (ActivityScope scope = activity.makeCurrent()) {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException | Error e) {
      publish(); // the container may dispatch to an error page
      end(activity.isClientGone() ? EndReason.CLIENT_ABORTED : Failures.reasonFor(e), false);
      throw e;
    }
    if (!async && !lateAsync()) {
      end(EndReason.COMPLETED, true); // else the AsyncListener, added in startAsync, ends it
    }
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

  /**
   * The request's activity, as the request wrapper answers for {@link ServletActivity#ATTRIBUTE}.
   */
  RequestActivity activity() {
    return activity;
  }

  /**
   * Whether the activity is in the container's request attribute.
   *
   * @return true once {@link #publish()} ran
   */
  boolean published() {
    return published;
  }

  /**
   * Puts the activity in the container's request attribute {@link ServletActivity#ATTRIBUTE}, for
   * dispatches that do not pass through this exchange's wrappers: an asynchronous dispatch, an
   * error page. Within the dispatch the filter wrapped, the request wrapper answers for the
   * attribute itself, so a request that is neither asynchronous nor failing never sets it: Jetty
   * makes a request's attribute map for its first attribute, the largest single part of the
   * filter's cost per request there.
   */
  void publish() {
    if (published) {
      return;
    }
    published = true;
    try {
      request.getRequest().setAttribute(ServletActivity.ATTRIBUTE, activity);
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "could not set the request attribute of the activity", e);
    }
  }

  /** Called by the request wrapper right after {@code startAsync} succeeded. */
  void asyncStarted(AsyncContext context) {
    publish(); // before any other thread can dispatch the request again
    async = true;
    try {
      context.addListener(this);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not listen to an async request; it ends now", e);
      end(EndReason.ERRORED, false);
    }
  }

  /** The response wrapper, for {@code startAsync}. */
  TrackedResponse response() {
    return response;
  }

  /**
   * Ends the request; only the first call counts.
   *
   * @param reason the adapter's reason; a more severe recorded one wins
   * @param delivered whether bytes still in the container's buffer reach the client
   */
  private void end(EndReason reason, boolean delivered) {
    try {
      response.settle(delivered);
      activity.end(reason);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not end tracked request", e);
    }
  }

  @Override
  public void onComplete(AsyncEvent event) {
    end(EndReason.COMPLETED, true);
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    end(EndReason.ERRORED, false);
  }

  /** The container reports an I/O failure here when the client connection broke. */
  @Override
  public void onError(AsyncEvent event) {
    end(Failures.reasonForClientWrite(event.getThrowable()), false);
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // A new async cycle (startAsync after a dispatch) drops the old listeners: rejoin it.
    @Nullable AsyncContext next = event.getAsyncContext();
    if (next != null && activity.isOpen()) {
      asyncStarted(next);
    }
  }

  @Override
  public String toString() {
    return "TrackedExchange{" + activity + "}";
  }
}
