package dev.inflight.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityStreams;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;

/**
 * The proxy itself: an OpenAI-compatible {@code POST /v1/chat/completions} that picks the backend
 * serving the request's model, forwards the request with the JDK {@code HttpClient} and relays the
 * answer, flushing each chunk of a stream as it arrives.
 *
 * <p>This is the only place that knows about activity tracking beyond the mounted filter: once the
 * backend is known it attaches the request ({@code attach(backend, session, model, type)}), and it
 * wraps the backend body handler with {@link ActivityStreams#countRx} so the bytes received from
 * the backend are counted. The filter counts what goes to the client, and it alone ends the
 * request, once, when the response is finished: when the backend cannot be reached or breaks off,
 * this servlet only records it with {@link RequestActivity#fail}, so the request ends as {@code
 * errored}.
 */
final class ChatProxyServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  static final int MAX_REQUEST_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final System.Logger LOG = System.getLogger(ChatProxyServlet.class.getName());

  private final transient BackendRouter router;
  private final transient HttpClient http;
  private final transient Function<HttpServletRequest, RequestActivity> activities;

  /**
   * @param router model to backend
   * @param http the client used to reach the backends
   * @param activities how to find the request's tracked activity (the servlet adapter's)
   */
  ChatProxyServlet(
      BackendRouter router,
      HttpClient http,
      Function<HttpServletRequest, RequestActivity> activities) {
    this.router = router;
    this.http = http;
    this.activities = activities;
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    byte[] body = req.getInputStream().readNBytes(MAX_REQUEST_BYTES + 1);
    if (body.length > MAX_REQUEST_BYTES) {
      error(
          resp,
          413,
          "request body larger than " + MAX_REQUEST_BYTES + " bytes",
          "invalid_request_error");
      return;
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (IOException e) {
      error(resp, 400, "request body is not valid JSON", "invalid_request_error");
      return;
    }
    if (json == null || !json.path("model").isTextual() || json.path("model").asText().isBlank()) {
      error(resp, 400, "'model' is required", "invalid_request_error");
      return;
    }
    String model = json.path("model").asText();
    boolean streaming = json.path("stream").asBoolean(false);
    BackendRouter.Route route = router.route(model).orElse(null);
    if (route == null) {
      error(
          resp,
          404,
          "The model '" + model + "' is not served by this proxy; try one of " + router.models(),
          "model_not_found");
      return;
    }

    // Clients may name their session; otherwise the tracker generates an id per request.
    RequestActivity activity = activities.apply(req);
    ActivityHandle counted =
        activity.attach(
            route.name(),
            req.getHeader(RequestActivity.DEFAULT_SESSION_HEADER),
            model,
            streaming ? ConnectionType.STREAMING : ConnectionType.NON_STREAMING);

    HttpRequest.Builder forward =
        HttpRequest.newBuilder(route.completions())
            .timeout(Duration.ofMinutes(5)) // until the response headers arrive
            .header("Content-Type", "application/json")
            .header("Accept", streaming ? "text/event-stream" : "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (route.bearerToken() != null) {
      forward.header("Authorization", "Bearer " + route.bearerToken());
    }
    HttpResponse<InputStream> answer;
    try {
      answer =
          http.send(
              forward.build(),
              ActivityStreams.countRx(HttpResponse.BodyHandlers.ofInputStream(), counted));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      activity.fail(EndReason.ERRORED); // the filter ends the request once the error is sent
      error(resp, 503, "the proxy is shutting down", "server_error");
      return;
    } catch (IOException e) {
      activity.fail(EndReason.ERRORED);
      LOG.log(System.Logger.Level.WARNING, "backend " + route.name() + " unreachable: " + e);
      error(resp, 502, "backend " + route.name() + " is unreachable", "server_error");
      return;
    }

    resp.setStatus(answer.statusCode());
    resp.setContentType(
        answer
            .headers()
            .firstValue("Content-Type")
            .orElse(streaming ? "text/event-stream" : "application/json"));
    if (streaming) {
      resp.setHeader("Cache-Control", "no-cache");
      resp.setHeader("X-Accel-Buffering", "no");
    }
    try (InputStream in = answer.body()) {
      OutputStream out = resp.getOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      // A failed write means the client left: the filter's stream sees it and ends the
      // request as client_aborted, so nothing needs recording here.
      while ((n = readFromBackend(in, buffer, activity)) >= 0) {
        out.write(buffer, 0, n);
        if (streaming) {
          out.flush(); // each SSE chunk reaches the client as soon as the backend sent it
        }
      }
    }
  }

  private static int readFromBackend(InputStream in, byte[] buffer, RequestActivity activity)
      throws IOException {
    try {
      return in.read(buffer);
    } catch (IOException e) {
      activity.fail(EndReason.ERRORED); // the backend broke off: errored, not the client's doing
      throw e;
    }
  }

  private static void error(HttpServletResponse resp, int status, String message, String type)
      throws IOException {
    ObjectNode doc = JSON.createObjectNode();
    doc.putObject("error").put("message", message).put("type", type);
    byte[] bytes = JSON.writeValueAsBytes(doc);
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
