package dev.inflight.activity.jaxrs.internal;

import dev.inflight.activity.ActivityScope;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The per-request state of a tracked request: its {@link RequestActivity}, the counting stream
 * installed for its body, and what the interceptor needs to know to end the request at the right
 * moment. Created by the request filter only when tracking is on.
 *
 * <p>Thread-safety: the flags are volatile; {@link #end} may race from any thread (container,
 * worker, async callback) and only the first call has an effect (the activity serialises it).
 */
public final class Exchange {

  /** The request property holding the exchange. */
  public static final String PROPERTY = "dev.inflight.activity.jaxrs.exchange";

  private final RequestActivity activity;
  private volatile boolean streamInstalled;
  private volatile boolean endsOnClose;
  private volatile boolean sinkTracked;
  private volatile boolean sinkClosedByApplication;
  private volatile boolean streamFailed;

  /** The scope that makes the activity current for the dispatch; only touched on its thread. */
  private @Nullable ActivityScope scope;

  /**
   * Creates the state of one request.
   *
   * @param activity the request's activity, tracking
   */
  public Exchange(RequestActivity activity) {
    this.activity = activity;
  }

  /**
   * The request's activity.
   *
   * @return the activity
   */
  public RequestActivity activity() {
    return activity;
  }

  /**
   * Remembers the scope opened for the dispatch, to close it when the dispatch ends.
   *
   * @param scope the scope
   */
  void scope(ActivityScope scope) {
    this.scope = scope;
  }

  /** Closes the dispatch's scope, if one is open. */
  void closeScope() {
    ActivityScope s = scope;
    if (s != null) {
      scope = null;
      s.close();
    }
  }

  /**
   * Whether the counting stream was installed under the response body.
   *
   * @return true once {@link #wrap} was called
   */
  public boolean streamInstalled() {
    return streamInstalled;
  }

  /**
   * Declares that the body is written after the interceptor chain returned (Jersey's {@code
   * ChunkedOutput} and SSE sink), so the container closing the body stream is what ends it. For any
   * other body a close means nothing: RESTEasy closes the response's stream when the initial
   * dispatch returns, even while an async response or an SSE sink is still writing.
   */
  public void endsWhenStreamCloses() {
    endsOnClose = true;
  }

  /** Records that the application writes through a sink wrapped by {@code TrackedEventSink}. */
  void sinkTracked() {
    sinkTracked = true;
  }

  /** Records that the application is closing its wrapped sink. */
  void sinkClosedByApplication() {
    sinkClosedByApplication = true;
  }

  /**
   * Called by the counting stream once the container's stream closed. If the application writes
   * through a tracked sink and has not closed it, the container closed the stream on its own: it
   * saw the client leave (Jersey closes the sink when its connection callback fires, so no write
   * ever fails).
   */
  void streamClosed() {
    if (endsOnClose) {
      end(sinkTracked && !sinkClosedByApplication ? EndReason.CLIENT_ABORTED : EndReason.COMPLETED);
    }
  }

  /**
   * Wraps the response body stream with a counting one.
   *
   * @param out the container's body stream
   * @return the counting stream
   */
  public OutputStream wrap(OutputStream out) {
    streamInstalled = true;
    return new TrackingOutputStream(out, this);
  }

  /**
   * Called by the counting stream once the container's stream threw, after core recorded the
   * failure (an I/O error means the client left): the request ends with that reason, as nothing
   * more can be written.
   */
  void streamFailed() {
    streamFailed = true;
    end(EndReason.COMPLETED);
  }

  /**
   * Whether writing to the container's stream failed.
   *
   * @return true once a write, flush or close of the body stream threw
   */
  public boolean hasStreamFailed() {
    return streamFailed;
  }

  /**
   * Ends the request; only the first call counts.
   *
   * @param reason why it ended
   */
  public void end(EndReason reason) {
    activity.end(reason);
  }
}
