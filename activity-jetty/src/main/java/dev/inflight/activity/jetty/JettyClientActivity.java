package dev.inflight.activity.jetty;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.jetty.internal.ProxyGlue;
import java.util.Objects;
import org.eclipse.jetty.client.Request;

/**
 * Counts what Jetty's {@code HttpClient} receives for a request as RX, chunk by chunk as it
 * arrives, whatever listener or stream the application reads the response with.
 *
 * <pre>{@code
 * Request backend = JettyClientActivity.countRx(httpClient.newRequest(target), activity);
 * InputStreamResponseListener listener = new InputStreamResponseListener();
 * backend.send(listener);
 * }</pre>
 *
 * <p>Counting stops when the exchange ends, normally or not (an abort, a cancel, a failure); it
 * never ends the activity, which the server adapter ends when the response to the client is
 * finished.
 */
public final class JettyClientActivity {

  private JettyClientActivity() {}

  /**
   * Counts the request's response content into {@code handle}.
   *
   * @param request the request, before it is sent
   * @param handle where to count; a disabled one leaves the request untouched
   * @return {@code request}, for chaining
   */
  public static Request countRx(Request request, ActivityHandle handle) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(handle, "handle");
    if (handle.isOpen()) {
      request.onResponseContent(
          (response, content) -> ProxyGlue.count(handle, content)); // read in place
    }
    return request;
  }

  /**
   * Counts the request's response content into the {@linkplain RequestActivity#current() current}
   * activity, read now, on the calling thread.
   *
   * @param request the request, before it is sent
   * @return {@code request}, for chaining
   */
  public static Request countRx(Request request) {
    return countRx(request, RequestActivity.current());
  }
}
