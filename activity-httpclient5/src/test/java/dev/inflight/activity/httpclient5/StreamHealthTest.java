package dev.inflight.activity.httpclient5;

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
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live LLM view through {@link ActivityHttpClient5}: the classic entity stream and the async
 * consumer hand each chunk's bytes to the tracker, which tells keep-alive pings from content and
 * sees a stream's last event. The backend is a loopback server-sent-event stream driven event by
 * event ({@link SseBackend}); the tracker runs on a fake clock with a short stall time.
 */
class StreamHealthTest {

  static final String BACKEND = "backend-a";
  static final Duration STALL = Duration.ofSeconds(10);
  static final long WAIT_SECONDS = 20;

  static final String CONTENT = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n";
  static final String PING = ": ping\n\n";
  static final String DONE = "data: [DONE]\n\n";

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture =
      new ManualTracker(s -> s.stallAfter(STALL).endedListener(ended::add));

  final ActivityHttpClient5 rx = ActivityHttpClient5.builder().build();
  SseBackend backend;

  @BeforeEach
  void startBackend() throws IOException {
    backend = SseBackend.start();
  }

  @AfterEach
  void stopBackend() {
    backend.close();
  }

  ActivityTracker tracker() {
    return fixture.tracker();
  }

  RequestActivity attached(String session) {
    RequestActivity activity = tracker().beginRequest(session);
    activity.attach(BACKEND, "gpt-4", ConnectionType.STREAMING);
    return activity;
  }

  static HttpClientContext contextOf(RequestActivity activity) {
    HttpClientContext context = HttpClientContext.create();
    ActivityHttpClient5.attach(context, activity);
    return context;
  }

  String uri() {
    return backend.baseUrl() + "/v1/chat/completions";
  }

  Optional<ConnectionSnapshot> row(String session) {
    return tracker().getGlobalSnapshot().backend(BACKEND).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(session))
        .findFirst();
  }

  ConnectionSnapshot liveRow(String session) {
    return row(session).orElseThrow(() -> new AssertionError("no row for " + session));
  }

  EndedConnection awaitEnded() {
    Await.until("the row ended", () -> ended.size() == 1);
    assertThat(tracker().activeConnections()).isZero();
    return ended.get(0);
  }

  static long bytes(String part) {
    return part.getBytes(StandardCharsets.UTF_8).length;
  }

  /** How the test reads what the client received: at once (classic) or once counted (async). */
  interface Reader {
    void read(String part) throws IOException;
  }

  /**
   * One content event, then pings only, the clock moving a quarter of the stall time before each:
   * stalled after the fifth, RX grown by exactly the pings; content again ends the stall.
   */
  void pingsOnly(String session, SseBackend.Stream stream, Reader reader) throws IOException {
    stream.send(CONTENT);
    reader.read(CONTENT);
    assertThat(liveRow(session).stalled()).isFalse(); // this look notes the content's time

    Duration step = STALL.dividedBy(4);
    for (int i = 1; i <= 5; i++) {
      fixture.clock().advance(step);
      stream.send(PING);
      reader.read(PING);
      assertThat(liveRow(session).bytesRx()).isEqualTo(bytes(CONTENT) + i * bytes(PING));
    }

    ConnectionSnapshot pinged = liveRow(session);
    assertThat(pinged.stalled()).isTrue();
    assertThat(pinged.backendIdle()).isGreaterThanOrEqualTo(step.multipliedBy(5));
    assertThat(pinged.idle()).isLessThan(STALL); // bytes kept coming: only pings
    assertThat(pinged.bytesRx()).isEqualTo(stream.bodyBytesSent());

    stream.send(CONTENT);
    reader.read(CONTENT);
    assertThat(liveRow(session).stalled()).isFalse();
  }

  @Nested
  class Classic {

    final CloseableHttpClient client =
        HttpClients.custom().addResponseInterceptorLast(rx.responseInterceptor()).build();
    final ExecutorService caller = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
      client.close(CloseMode.IMMEDIATE);
      caller.shutdownNow();
    }

    /**
     * Calls on another thread: the call returns once the backend answered, as the test makes it.
     */
    Future<ClassicHttpResponse> call(RequestActivity activity) {
      HttpClientContext context = contextOf(activity);
      return caller.submit(() -> client.executeOpen(null, new HttpGet(uri()), context));
    }

    static void read(InputStream in, String part) throws IOException {
      byte[] got = in.readNBytes((int) bytes(part));
      assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo(part);
    }

    @Test
    void aBackendSendingOnlyPingsIsStalledWhileItsRxGrows() throws Exception {
      RequestActivity activity = attached("s-pings");
      Future<ClassicHttpResponse> call = call(activity);
      SseBackend.Stream stream = backend.awaitStream();
      try (ClassicHttpResponse response = call.get(WAIT_SECONDS, TimeUnit.SECONDS);
          InputStream in = response.getEntity().getContent()) {
        pingsOnly("s-pings", stream, part -> read(in, part));
        stream.finish();
        assertThat(in.read()).isEqualTo(-1);
      }
      activity.close();
      EndedConnection e = awaitEnded();
      assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
      assertThat(e.bytesRx()).isEqualTo(2 * bytes(CONTENT) + 5 * bytes(PING));
    }

    @Test
    void aStreamWhoseLastEventArrivedEndsCompletedThoughTheBackendThenResets() throws Exception {
      EndedConnection e = resetAfter("s-done", List.of(CONTENT, PING, DONE));

      assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
      assertThat(e.bytesRx()).isEqualTo(bytes(CONTENT) + bytes(PING) + bytes(DONE));
    }

    @Test
    void aStreamResetBeforeItsLastEventEndsErrored() throws Exception {
      EndedConnection e = resetAfter("s-cut", List.of(CONTENT, PING));

      assertThat(e.reason()).isEqualTo(EndReason.ERRORED);
      assertThat(e.bytesRx()).isEqualTo(bytes(CONTENT) + bytes(PING));
    }

    /**
     * Sends and reads {@code parts}, resets; the failed read ends the activity, as a proxy does.
     */
    EndedConnection resetAfter(String session, List<String> parts) throws Exception {
      RequestActivity activity = attached(session);
      Future<ClassicHttpResponse> call = call(activity);
      SseBackend.Stream stream = backend.awaitStream();
      ClassicHttpResponse response = call.get(WAIT_SECONDS, TimeUnit.SECONDS);
      InputStream in = response.getEntity().getContent();
      for (String part : parts) {
        stream.send(part);
        read(in, part);
      }
      assertThat(liveRow(session).bytesRx()).isEqualTo(stream.bodyBytesSent());
      stream.reset();
      Throwable failure = catchThrowable(in::readAllBytes);
      assertThat(failure).isInstanceOf(IOException.class);
      // the close drains what is left of the body, and fails again
      assertThat(catchThrowable(response::close)).isInstanceOf(IOException.class);
      activity.end(failure);
      return awaitEnded();
    }
  }

  @Nested
  class Async {

    final CloseableHttpAsyncClient client =
        HttpAsyncClients.custom()
            .addExecInterceptorFirst(ActivityHttpClient5.NAME, rx.execHandler())
            .build();

    Async() {
      client.start();
    }

    @AfterEach
    void close() {
      client.close(CloseMode.IMMEDIATE);
    }

    Future<String> call(RequestActivity activity) {
      return client.execute(
          SimpleRequestProducer.create(SimpleRequestBuilder.get(uri()).build()),
          new Relay(),
          contextOf(activity),
          null);
    }

    /** A chunk counts once the consumer took it, on an I/O thread: waits for the count. */
    Reader counted(String session, SseBackend.Stream stream) {
      return part ->
          Await.until(
              "the row shows RX " + stream.bodyBytesSent() + ", not " + row(session),
              () ->
                  row(session).map(ConnectionSnapshot::bytesRx).orElse(-1L)
                      == stream.bodyBytesSent());
    }

    @Test
    void aBackendSendingOnlyPingsIsStalledWhileItsRxGrows() throws Exception {
      RequestActivity activity = attached("s-pings");
      Future<String> call = call(activity);
      SseBackend.Stream stream = backend.awaitStream();
      pingsOnly("s-pings", stream, counted("s-pings", stream));
      stream.finish();

      assertThat(call.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isEqualTo(CONTENT + PING.repeat(5) + CONTENT);
      activity.close();
      EndedConnection e = awaitEnded();
      assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
      assertThat(e.bytesRx()).isEqualTo(2 * bytes(CONTENT) + 5 * bytes(PING));
    }

    @Test
    void aStreamWhoseLastEventArrivedEndsCompletedThoughTheBackendThenResets() throws Exception {
      EndedConnection e = resetAfter("s-done", List.of(CONTENT, PING, DONE));

      assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
      assertThat(e.bytesRx()).isEqualTo(bytes(CONTENT) + bytes(PING) + bytes(DONE));
    }

    @Test
    void aStreamResetBeforeItsLastEventEndsErrored() throws Exception {
      EndedConnection e = resetAfter("s-cut", List.of(CONTENT, PING));

      assertThat(e.reason()).isEqualTo(EndReason.ERRORED);
      assertThat(e.bytesRx()).isEqualTo(bytes(CONTENT) + bytes(PING));
    }

    /**
     * Sends {@code parts}, waits until they are counted, resets the connection, and ends the
     * activity as errored, as a proxy does when its backend call fails. (The async client was not
     * seen to fail the call on this reset within the test's wait, so the call is cancelled.)
     */
    EndedConnection resetAfter(String session, List<String> parts) throws Exception {
      RequestActivity activity = attached(session);
      Future<String> call = call(activity);
      SseBackend.Stream stream = backend.awaitStream();
      Reader reader = counted(session, stream);
      for (String part : parts) {
        stream.send(part);
        reader.read(part);
      }
      stream.reset();
      call.cancel(true);
      activity.end(EndReason.ERRORED);
      return awaitEnded();
    }
  }

  /** Takes each chunk as it arrives, as a relaying proxy does, and gives the whole body. */
  static final class Relay extends AbstractBinResponseConsumer<String> {
    private final StringBuilder body = new StringBuilder();

    @Override
    protected void start(HttpResponse response, ContentType contentType) {}

    @Override
    protected int capacityIncrement() {
      return 64 * 1024;
    }

    @Override
    protected void data(ByteBuffer data, boolean endOfStream) {
      synchronized (body) {
        body.append(StandardCharsets.UTF_8.decode(data));
      }
    }

    @Override
    protected String buildResult() {
      synchronized (body) {
        return body.toString();
      }
    }

    @Override
    public void releaseResources() {}
  }
}
