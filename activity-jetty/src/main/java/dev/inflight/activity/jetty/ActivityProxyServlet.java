package dev.inflight.activity.jetty;

import dev.inflight.activity.jetty.internal.ProxyGlue;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Objects;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's blocking transparent proxy servlet ({@code ProxyServlet.Transparent}) that attaches each
 * request to its backend and counts every chunk the backend sends as RX, as it arrives. Mount it
 * behind the servlet {@code ActivityFilter}, which begins each request's activity, counts TX to the
 * client and ends it:
 *
 * <pre>{@code
 * context.addFilter(new FilterHolder(ActivityFilter.builder().tracker(tracker).build()), "/*",
 *     EnumSet.of(DispatcherType.REQUEST));
 * ServletHolder proxy = new ServletHolder(new ActivityProxyServlet(ProxyAttachment.builder()
 *     .backend((request, target) -> "openai.1").build()));
 * proxy.setInitParameter("proxyTo", "https://api.openai.com");
 * proxy.setAsyncSupported(true);
 * context.addServlet(proxy, "/v1/*");
 * }</pre>
 *
 * <p>The request is attached just before it is sent to the backend (see {@link ProxyAttachment} for
 * the backend's name, model and type); bytes the filter counted before that move into the row. RX
 * is what the backend delivered to the proxy, each chunk counted when Jetty's client hands it over
 * ({@code onResponseContent}), whether or not the client is still there to take it. Without the
 * filter (or with tracking off) it proxies exactly as its superclass.
 *
 * <p>When the proxied exchange fails (the client left mid-stream, the backend failed or could not
 * be reached), this servlet ends the request before Jetty answers 502 or 504 or aborts the client's
 * connection: client-aborted when writing to the client failed, errored otherwise, once.
 *
 * <p>Overriding {@code sendProxyRequest}, {@code onResponseContent} or {@code
 * onProxyResponseFailure}: call {@code super}.
 */
public class ActivityProxyServlet extends ProxyServlet.Transparent {

  private final ProxyAttachment attachment;

  /** A proxy servlet with the {@linkplain ProxyAttachment#defaults() default attachment}. */
  public ActivityProxyServlet() {
    this(ProxyAttachment.defaults());
  }

  /**
   * A proxy servlet attaching requests as {@code attachment} says.
   *
   * @param attachment how to name each request's backend, model and type
   */
  public ActivityProxyServlet(ProxyAttachment attachment) {
    this.attachment = Objects.requireNonNull(attachment, "attachment");
  }

  @Override
  protected void sendProxyRequest(
      HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Request proxyRequest) {
    ProxyGlue.attach(attachment, clientRequest, proxyRequest);
    super.sendProxyRequest(clientRequest, proxyResponse, proxyRequest);
  }

  @Override
  protected void onProxyResponseFailure(
      HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse,
      Response serverResponse,
      Throwable failure) {
    // First: when nothing was sent yet, super answers 502 or 504 and completes the request, and
    // the filter would then end it as completed. (Never throws.)
    ProxyGlue.proxyFailed(clientRequest);
    super.onProxyResponseFailure(clientRequest, proxyResponse, serverResponse, failure);
  }

  @Override
  protected void onResponseContent(
      HttpServletRequest request,
      HttpServletResponse response,
      Response proxyResponse,
      byte[] buffer,
      int offset,
      int length,
      Callback callback) {
    ProxyGlue.countRx(request, buffer, offset, length);
    // a failed write to the client means it left: record it before the exchange is failed
    Callback tracked = ProxyGlue.recordingClientFailure(request, callback);
    if (!ProxyGlue.flushesEachChunk(attachment, request, proxyResponse)) {
      super.onResponseContent(request, response, proxyResponse, buffer, offset, length, tracked);
      return;
    }
    // as the superclass, plus a flush: Jetty holds small writes back, a streamed event must not
    try {
      ServletOutputStream out = response.getOutputStream();
      out.write(buffer, offset, length);
      out.flush();
      tracked.succeeded();
    } catch (Throwable failure) {
      tracked.failed(failure);
    }
  }
}
