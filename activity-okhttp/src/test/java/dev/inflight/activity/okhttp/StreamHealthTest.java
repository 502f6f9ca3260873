package dev.inflight.activity.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.SseBackend;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live LLM view through {@link ActivityInterceptor}: the interceptor hands each read's bytes to
 * the tracker, which tells keep-alive pings from content and sees a stream's last event. The
 * backend is a loopback server-sent-event stream driven event by event ({@link SseBackend}); the
 * tracker runs on a fake clock with a short stall time. Runs on OkHttp 4.12 and on OkHttp 5 (see
 * the module's pom).
 */
class StreamHealthTest {

  static final String BACKEND = "backend-a";
  static final Duration STALL = Duration.ofSeconds(10);

  static final String CONTENT = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n";
  static final String PING = ": ping\n\n";
  static final String DONE = "data: [DONE]\n\n";

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture =
      new ManualTracker(s -> s.stallAfter(STALL).endedListener(ended::add));

  final OkHttpClient client =
      new OkHttpClient.Builder()
          .addNetworkInterceptor(ActivityInterceptor.create())
          .readTimeout(20, TimeUnit.SECONDS)
          .build();

  final ExecutorService caller = Executors.newSingleThreadExecutor();
  SseBackend backend;

  @BeforeEach
  void start() throws IOException {
    backend = SseBackend.start();
  }

  @AfterEach
  void stop() {
    backend.close();
    caller.shutdownNow();
    client.dispatcher().executorService().shutdownNow();
    client.connectionPool().evictAll();
  }

  ActivityTracker tracker() {
    return fixture.tracker();
  }

  RequestActivity attached(String session) {
    RequestActivity activity = tracker().beginRequest(session);
    activity.attach(BACKEND, "gpt-4", ConnectionType.STREAMING);
    return activity;
  }

  /**
   * Calls the backend on another thread (the call returns once the backend answered, which the test
   * makes it do), the request tagged with its activity.
   */
  Future<Response> call(RequestActivity activity) {
    Request request =
        ActivityInterceptor.tag(
                new Request.Builder()
                    .url(backend.baseUrl() + "/v1/chat/completions")
                    .header("Accept", "text/event-stream"),
                activity)
            .build();
    return caller.submit(() -> client.newCall(request).execute());
  }

  ConnectionSnapshot row(String session) {
    return tracker().getGlobalSnapshot().backend(BACKEND).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(session))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + session));
  }

  /** Reads one part the backend sent, whole: the interceptor has counted it when this returns. */
  static void read(BufferedSource source, String part) throws IOException {
    long length = part.getBytes(StandardCharsets.UTF_8).length;
    source.require(length);
    assertThat(source.readUtf8(length)).isEqualTo(part);
  }

  EndedConnection awaitEnded() {
    Await.until("the row ended", () -> ended.size() == 1);
    assertThat(tracker().activeConnections()).isZero();
    return ended.get(0);
  }

  @Test
  void aBackendSendingOnlyPingsIsStalledWhileItsRxGrows() throws Exception {
    RequestActivity activity = attached("s-pings");
    Future<Response> call = call(activity);
    SseBackend.Stream stream = backend.awaitStream();
    try (Response response = call.get(20, TimeUnit.SECONDS)) {
      BufferedSource source = response.body().source();
      stream.send(CONTENT);
      read(source, CONTENT);
      assertThat(row("s-pings").stalled()).isFalse(); // this look notes the content's time
      long content = stream.bodyBytesSent();

      Duration step = STALL.dividedBy(4);
      for (int i = 1; i <= 5; i++) {
        fixture.clock().advance(step);
        stream.send(PING);
        read(source, PING);
        assertThat(row("s-pings").bytesRx()).isEqualTo(content + i * (long) PING.length());
      }

      ConnectionSnapshot pinged = row("s-pings");
      assertThat(pinged.stalled()).isTrue();
      assertThat(pinged.backendIdle()).isGreaterThanOrEqualTo(step.multipliedBy(5));
      assertThat(pinged.idle()).isLessThan(STALL); // bytes kept coming: only pings
      assertThat(pinged.bytesRx()).isEqualTo(stream.bodyBytesSent());

      stream.send(CONTENT);
      read(source, CONTENT);
      assertThat(row("s-pings").stalled()).isFalse();

      stream.finish();
      assertThat(source.exhausted()).isTrue();
    }
    activity.close();
    EndedConnection e = awaitEnded();
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(e.bytesRx()).isEqualTo(2L * CONTENT.length() + 5L * PING.length());
  }

  @Test
  void aStreamWhoseLastEventArrivedEndsCompletedThoughTheBackendThenResets() throws Exception {
    EndedConnection e = resetAfter("s-done", List.of(CONTENT, PING, DONE));

    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(e.bytesRx()).isEqualTo((long) CONTENT.length() + PING.length() + DONE.length());
  }

  @Test
  void aStreamResetBeforeItsLastEventEndsErrored() throws Exception {
    EndedConnection e = resetAfter("s-cut", List.of(CONTENT, PING));

    assertThat(e.reason()).isEqualTo(EndReason.ERRORED);
    assertThat(e.bytesRx()).isEqualTo((long) CONTENT.length() + PING.length());
  }

  /**
   * Sends {@code parts}, reads them, then resets the connection; the next read fails, and the
   * activity is ended with that failure, as a proxy's error handling does.
   */
  EndedConnection resetAfter(String session, List<String> parts) throws Exception {
    RequestActivity activity = attached(session);
    Throwable failure;
    Future<Response> call = call(activity);
    SseBackend.Stream stream = backend.awaitStream();
    try (Response response = call.get(20, TimeUnit.SECONDS)) {
      BufferedSource source = response.body().source();
      for (String part : parts) {
        stream.send(part);
        read(source, part);
      }
      assertThat(row(session).bytesRx()).isEqualTo(stream.bodyBytesSent());

      stream.reset();
      failure = catchThrowable(source::readByteArray);
    }
    assertThat(failure).isInstanceOf(IOException.class);
    activity.end(failure);
    return awaitEnded();
  }
}
