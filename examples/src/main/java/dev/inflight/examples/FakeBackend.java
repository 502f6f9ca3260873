package dev.inflight.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * A local OpenAI-compatible backend for the demo: {@code POST /v1/chat/completions} answers with
 * made-up text, streamed as SSE token chunks with a pause between tokens when the request says
 * {@code "stream": true}, as one JSON document after a (bounded) think time otherwise. {@code
 * max_tokens} sets the length (1-2048, default 128).
 */
final class FakeBackend implements AutoCloseable {

  /** Called after each streamed chunk; tests use it to hold a stream open. */
  interface StreamHook {
    void afterChunk(String model, int index) throws InterruptedException;
  }

  /** Told the body size of every finished response; tests compare it with the tracker. */
  interface ResponseListener {
    void completed(String model, boolean streaming, long bodyBytes);
  }

  static final int DEFAULT_TOKENS = 128;
  static final int MAX_TOKENS = 2048;
  static final long MAX_THINK_MILLIS = 3_000;

  private static final String[] WORDS =
      ("Streaming responses keep a connection open while the model writes its answer one token"
              + " at a time and the proxy relays every chunk to the client as soon as it arrives"
              + " so the table of active connections shows each backend each model and the bytes"
              + " moving in both directions until the final chunk and the done marker close it")
          .split(" ");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Server server;
  private final int tokenDelayMillis;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicLong bytesSent = new AtomicLong();
  private volatile @Nullable StreamHook hook;
  private volatile @Nullable ResponseListener listener;

  private FakeBackend(Server server, int tokenDelayMillis) {
    this.server = server;
    this.tokenDelayMillis = tokenDelayMillis;
  }

  /**
   * Starts the backend on 127.0.0.1.
   *
   * @param port the port, 0 for any free one
   * @param tokenDelayMillis pause between streamed tokens, 0-1000
   * @return the running backend
   * @throws Exception if Jetty cannot start (e.g. the port is taken)
   */
  static FakeBackend start(int port, int tokenDelayMillis) throws Exception {
    if (tokenDelayMillis < 0 || tokenDelayMillis > 1000) {
      throw new IllegalArgumentException("token delay must be 0-1000 ms, got " + tokenDelayMillis);
    }
    QueuedThreadPool pool = new QueuedThreadPool(200, 4);
    pool.setName("fake-backend");
    pool.setDaemon(true);
    Server server = new Server(pool);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    FakeBackend backend = new FakeBackend(server, tokenDelayMillis);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(backend.new Completions()), "/v1/chat/completions");
    server.setHandler(context);
    server.setStopTimeout(0); // streams are cut on shutdown anyway: do not wait for them
    server.start();
    return backend;
  }

  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** The base URL backends point at: {@code http://127.0.0.1:PORT/v1}. */
  String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  /** All response body bytes sent since start. */
  long bytesSent() {
    return bytesSent.get();
  }

  void setStreamHook(@Nullable StreamHook hook) {
    this.hook = hook;
  }

  void setResponseListener(@Nullable ResponseListener listener) {
    this.listener = listener;
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      server.stop();
    } catch (Exception e) {
      System.getLogger(FakeBackend.class.getName())
          .log(System.Logger.Level.WARNING, "fake backend did not stop cleanly", e);
    }
  }

  /** Waits, returning early (true) when the backend is closing. */
  private boolean pause(long millis) throws InterruptedException {
    return millis > 0 && closed.await(millis, TimeUnit.MILLISECONDS);
  }

  private final class Completions extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      JsonNode body;
      try {
        body = JSON.readTree(req.getInputStream());
      } catch (IOException e) {
        error(resp, 400, "request body is not JSON");
        return;
      }
      if (body == null || !body.path("model").isTextual()) {
        error(resp, 400, "'model' is required");
        return;
      }
      String model = body.path("model").asText();
      boolean stream = body.path("stream").asBoolean(false);
      int tokens = Math.max(1, Math.min(MAX_TOKENS, body.path("max_tokens").asInt(DEFAULT_TOKENS)));
      String id = "chatcmpl-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
      long created = System.currentTimeMillis() / 1000;
      try {
        if (stream) {
          stream(resp, id, created, model, tokens);
        } else {
          complete(resp, id, created, model, tokens);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void stream(HttpServletResponse resp, String id, long created, String model, int tokens)
        throws IOException, InterruptedException {
      resp.setStatus(200);
      resp.setContentType("text/event-stream;charset=utf-8");
      resp.setHeader("Cache-Control", "no-cache");
      OutputStream out = resp.getOutputStream();
      long sent = 0;
      int start = ThreadLocalRandom.current().nextInt(WORDS.length);
      for (int i = 0; i < tokens; i++) {
        ObjectNode delta = JSON.createObjectNode();
        if (i == 0) {
          delta.put("role", "assistant");
        }
        delta.put("content", (i == 0 ? "" : " ") + WORDS[(start + i) % WORDS.length]);
        sent += event(out, chunk(id, created, model, delta, null));
        StreamHook h = hook;
        if (h != null) {
          h.afterChunk(model, i);
        }
        if (pause(tokenDelayMillis)) {
          return; // shutting down
        }
      }
      sent += event(out, chunk(id, created, model, JSON.createObjectNode(), "stop"));
      sent += event(out, "[DONE]");
      bytesSent.addAndGet(sent);
      ResponseListener l = listener;
      if (l != null) {
        l.completed(model, true, sent);
      }
    }

    private void complete(
        HttpServletResponse resp, String id, long created, String model, int tokens)
        throws IOException, InterruptedException {
      // Think time grows with the length, like a real model, but stays bounded.
      if (pause(Math.min(MAX_THINK_MILLIS, (long) tokens * tokenDelayMillis / 4))) {
        return;
      }
      StringBuilder text = new StringBuilder();
      int start = ThreadLocalRandom.current().nextInt(WORDS.length);
      for (int i = 0; i < tokens; i++) {
        text.append(i == 0 ? "" : " ").append(WORDS[(start + i) % WORDS.length]);
      }
      ObjectNode doc = JSON.createObjectNode();
      doc.put("id", id)
          .put("object", "chat.completion")
          .put("created", created)
          .put("model", model);
      ObjectNode choice = doc.putArray("choices").addObject();
      choice.put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", text.toString());
      choice.put("finish_reason", "stop");
      doc.putObject("usage")
          .put("prompt_tokens", 12)
          .put("completion_tokens", tokens)
          .put("total_tokens", 12 + tokens);
      byte[] bytes = JSON.writeValueAsBytes(doc);
      resp.setStatus(200);
      resp.setContentType("application/json");
      resp.setContentLength(bytes.length);
      resp.getOutputStream().write(bytes);
      bytesSent.addAndGet(bytes.length);
      ResponseListener l = listener;
      if (l != null) {
        l.completed(model, false, bytes.length);
      }
    }

    private String chunk(
        String id, long created, String model, ObjectNode delta, @Nullable String finish)
        throws IOException {
      ObjectNode doc = JSON.createObjectNode();
      doc.put("id", id)
          .put("object", "chat.completion.chunk")
          .put("created", created)
          .put("model", model);
      ArrayNode choices = doc.putArray("choices");
      ObjectNode choice = choices.addObject();
      choice.put("index", 0);
      choice.set("delta", delta);
      if (finish == null) {
        choice.putNull("finish_reason");
      } else {
        choice.put("finish_reason", finish);
      }
      return JSON.writeValueAsString(doc);
    }

    private long event(OutputStream out, String data) throws IOException {
      byte[] bytes = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
      out.write(bytes);
      out.flush();
      return bytes.length;
    }

    private void error(HttpServletResponse resp, int status, String message) throws IOException {
      ObjectNode doc = JSON.createObjectNode();
      doc.putObject("error").put("message", message).put("type", "invalid_request_error");
      resp.setStatus(status);
      resp.setContentType("application/json");
      resp.getOutputStream().write(JSON.writeValueAsBytes(doc));
    }
  }
}
