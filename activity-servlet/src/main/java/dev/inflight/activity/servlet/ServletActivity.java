package dev.inflight.activity.servlet;

import dev.inflight.activity.RequestActivity;
import jakarta.servlet.ServletRequest;

/**
 * Gives the proxy code the {@link RequestActivity} that {@link ActivityFilter} started for the
 * current request, so it can attach the request to its backend once it has chosen one.
 *
 * <pre>{@code
 * protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
 *   ActivityHandle activity = ServletActivity.of(req)
 *       .attach("openai.1", "gpt-4", ConnectionType.STREAMING);
 *   try (InputStream upstream = ActivityStreams.countRx(callBackend(req), activity)) {
 *     upstream.transferTo(resp.getOutputStream());   // TX is counted by the filter
 *   }
 * }
 * }</pre>
 *
 * <p>Bytes the filter counted before the attach are moved into the row. The filter ends the request
 * when the response is finished (including asynchronous ones), so the proxy code does not close it.
 */
public final class ServletActivity {

  /**
   * The request attribute holding the request's {@link RequestActivity}. Within the dispatch the
   * filter wrapped, its request wrapper answers for it; the container's own request carries it only
   * once a later dispatch may need it without the wrapper (after {@code startAsync}, {@code
   * sendError} or an exception), since some containers make a request's attribute map for its first
   * attribute.
   */
  public static final String ATTRIBUTE = "dev.inflight.activity.RequestActivity";

  private ServletActivity() {}

  /**
   * The request's activity.
   *
   * @param request the current request (the container's or any wrapper of it)
   * @return the activity the filter started, or {@link RequestActivity#disabled()} when the filter
   *     is not mounted or tracking is off; never null
   */
  public static RequestActivity of(ServletRequest request) {
    Object activity = request.getAttribute(ATTRIBUTE);
    return activity instanceof RequestActivity
        ? (RequestActivity) activity
        : RequestActivity.disabled();
  }
}
