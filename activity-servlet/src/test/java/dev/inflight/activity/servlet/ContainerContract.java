package dev.inflight.activity.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.json.BackendDescription;
import dev.inflight.activity.json.BackendDirectory;
import dev.inflight.activity.json.ConnectionView;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.SessionIdDisplay;
import dev.inflight.activity.servlet.testing.RawHttp;
import dev.inflight.activity.servlet.testing.ServletContainer;
import dev.inflight.activity.servlet.testing.ServletContainer.FilterMount;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.servlet.testing.SseEvents;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What every servlet contract group shares: a tracker on a fake clock, a container started per test
 * (Jetty, Tomcat or Undertow, as the concrete class says), and helpers to deploy servlets and talk
 * to them over 127.0.0.1 with the JDK {@link HttpClient} or {@link RawHttp}. Each group is written
 * once and runs on every container.
 */
abstract class ContainerContract {

  static final String BACKEND = "backend-a";
  static final String MODEL = "model-x";
  static final Duration WAIT = Duration.ofSeconds(10);

  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  static final ObjectMapper MAPPER = new ObjectMapper();

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  ActivityTracker tracker;
  ExecutorService workers;
  private ServletContainer.Running running;

  /**
   * The container this group runs on.
   *
   * @return the container's starter
   */
  protected abstract ServletContainer container();

  @BeforeEach
  void createTracker() {
    tracker = fixture.tracker();
    workers = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopEverything() throws Exception {
    try {
      if (running != null) {
        running.close();
      }
    } finally {
      workers.shutdownNow();
      assertThat(workers.awaitTermination(10, SECONDS)).as("test workers stopped").isTrue();
    }
  }

  enum Output {
    STREAM,
    WRITER
  }

  /** A servlet body; may throw anything. */
  @FunctionalInterface
  interface Handler {
    void handle(HttpServletRequest req, HttpServletResponse res) throws Exception;
  }

  static HttpServlet servlet(Handler handler) {
    return new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res)
          throws ServletException, IOException {
        try {
          handler.handle(req, res);
        } catch (IOException | ServletException | RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new ServletException(e);
        }
      }
    };
  }

  Filter trackingFilter() {
    return ActivityFilter.builder().tracker(tracker).build();
  }

  static FilterMount mount(Filter filter) {
    return mount(filter, "/*");
  }

  static FilterMount mount(Filter filter, String pattern) {
    return FilterMount.of(filter, pattern);
  }

  void deploy(HttpServlet servlet) throws Exception {
    deploy(trackingFilter(), servlet);
  }

  /** The filter on everything, the servlet on {@code /*}, diagnostics on their own paths. */
  void deploy(Filter filter, HttpServlet servlet) throws Exception {
    deploy(
        List.of(mount(filter)),
        List.of(
            new ServletMount(servlet, "/*"),
            new ServletMount(diagnostics(tracker), "/v1/diagnostics/*")));
  }

  static DiagnosticsServlet diagnostics(ActivityTracker t) {
    return DiagnosticsServlet.builder()
        .tracker(t)
        .backends(
            BackendDirectory.of(List.of(BackendDescription.of(BACKEND, "openai", List.of(MODEL)))))
        .sessionIdDisplay(SessionIdDisplay.FULL)
        .build();
  }

  void deploy(List<FilterMount> filters, List<ServletMount> servlets) throws Exception {
    running = container().start(filters, servlets);
  }

  void stopContainer() throws Exception {
    ServletContainer.Running r = running;
    running = null;
    r.close();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  int port() {
    return running.port();
  }

  HttpRequest get(String path, String sessionId) {
    return HttpRequest.newBuilder(uri(path))
        .header(RequestActivity.DEFAULT_SESSION_HEADER, sessionId)
        .timeout(WAIT)
        .build();
  }

  static void attach(HttpServletRequest req) {
    ServletActivity.of(req).attach(BACKEND, MODEL, ConnectionType.STREAMING);
  }

  BackendSnapshot backend() {
    return tracker.getBackendSnapshot(BACKEND).orElseThrow();
  }

  Optional<ConnectionSnapshot> row(String sessionId) {
    return tracker.getBackendSnapshot(BACKEND).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(sessionId))
        .findFirst();
  }

  long rowTx(String sessionId) {
    return row(sessionId).map(ConnectionSnapshot::bytesTx).orElse(-1L);
  }

  /** The row's {@code bytes_tx} as a client of the diagnostics endpoint sees it. */
  long diagnosticsBytesTx(String sessionId) throws Exception {
    HttpResponse<String> r = CLIENT.send(get("/v1/diagnostics", "poller"), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return DiagnosticsJson.parseDiagnostics(r.body()).instances().stream()
        .filter(i -> i.name().equals(BACKEND))
        .flatMap(i -> i.activity().connections().stream())
        .filter(c -> c.sessionId().equals(sessionId))
        .mapToLong(ConnectionView::bytesTx)
        .findFirst()
        .orElse(-1);
  }

  void awaitNoRows() {
    awaitNoRows(WAIT);
  }

  void awaitNoRows(Duration timeout) {
    Await.until("no rows left", timeout, () -> tracker.activeConnections() == 0);
  }

  static void acquire(Semaphore semaphore) throws InterruptedException {
    if (!semaphore.tryAcquire(WAIT.toSeconds(), SECONDS)) {
      throw new IllegalStateException("permit not released in " + WAIT);
    }
  }

  /** Reads one SSE event (up to and including its blank line), failing after a timeout. */
  byte[] readEvent(InputStream in) throws Exception {
    return SseEvents.readEvent(workers, in, WAIT);
  }

  static byte[] event(int i) {
    return ("event: token\ndata: {\"i\":"
            + i
            + ",\"text\":\""
            + "x".repeat(20 + 37 * i)
            + "\"}\n\n")
        .getBytes(UTF_8);
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] ascii(int n, int seed) {
    byte[] b = new byte[n];
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + r.nextInt(26));
    }
    return b;
  }

  static byte[] concat(List<byte[]> chunks) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    chunks.forEach(all::writeBytes);
    return all.toByteArray();
  }

  static void closeAfter(InputStream in, int n) {
    try (in) {
      in.readNBytes(n);
    } catch (IOException ignored) {
      // the hang-up is the point
    }
  }

  /** What calling {@code action} did, as text: "threw <exception class>" or "returned". */
  static String outcome(ThrowingAction action) {
    try {
      action.run();
      return "returned";
    } catch (Exception e) {
      return "threw " + e.getClass().getName();
    }
  }

  @FunctionalInterface
  interface ThrowingAction {
    void run() throws Exception;
  }

  static AsyncListener recording(List<String> events) {
    return new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        events.add("complete");
      }

      @Override
      public void onTimeout(AsyncEvent event) {
        events.add("timeout");
      }

      @Override
      public void onError(AsyncEvent event) {
        events.add("error");
      }

      @Override
      public void onStartAsync(AsyncEvent event) {
        events.add("start");
      }
    };
  }
}
