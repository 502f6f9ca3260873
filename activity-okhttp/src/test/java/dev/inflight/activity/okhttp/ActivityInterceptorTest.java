package dev.inflight.activity.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityScope;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.FailingHandle;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs on OkHttp 4.12 and on OkHttp 5 (see the module's pom). */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
class ActivityInterceptorTest {

  private static final List<String> EVENTS =
      List.of(
          "data: one\n\n", "data: two two\n\n", "data: three three three\n\n", "data: [DONE]\n\n");

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private final OkHttpClient client =
      new OkHttpClient.Builder()
          .addNetworkInterceptor(ActivityInterceptor.create())
          .readTimeout(20, TimeUnit.SECONDS)
          .build();

  private StreamingBackend backend;

  @AfterEach
  void stop() {
    if (backend != null) {
      backend.close();
    }
    client.dispatcher().executorService().shutdownNow();
    client.connectionPool().evictAll();
  }

  private ActivityTracker tracker() {
    return fixture.tracker();
  }

  private long rx() {
    return tracker().getGlobalSnapshot().totalBytesRx();
  }

  private RequestActivity attached(ConnectionType type) {
    RequestActivity activity = tracker().beginRequest("s-1");
    activity.attach("backend.1", "gpt-4", type);
    return activity;
  }

  private Request post() {
    return new Request.Builder()
        .url(backend.uri("/v1/chat/completions").toString())
        .post(okhttp3.RequestBody.create("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .build();
  }

  @Test
  void runsOnTheExpectedOkHttpVersion() throws ReflectiveOperationException {
    // read at run time: javac inlines the constant it compiled against
    Object version = OkHttp.class.getField("VERSION").get(null);
    assertThat(version).isEqualTo(System.getProperty("expected.okhttp.version"));
  }

  @Test
  void aStreamedBodyIsCountedAsTheCallerReadsIt() throws IOException {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.STREAMING);

    try (ActivityScope scope = activity.makeCurrent();
        Response response = client.newCall(post()).execute()) {
      BufferedSource source = response.body().source();
      source.require(reply.bytes(1));
      assertThat(rx()).isEqualTo(reply.bytes(1)); // mid-stream, before the backend sent the rest

      backend.release();
      source.readByteArray(); // to the end
    }

    assertThat(rx()).isEqualTo(reply.length()).isEqualTo(backend.bodyBytesSent());
    assertThat(activity.isOpen()).isTrue(); // the server side ends it, not the client
  }

  @Test
  void aPlainBodyIsCountedWhole() throws IOException {
    Reply reply = Reply.json("{\"id\":\"c-1\",\"choices\":[]}");
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.NON_STREAMING);

    String body;
    try (ActivityScope scope = activity.makeCurrent();
        Response response = client.newCall(post()).execute()) {
      body = response.body().string();
    }

    assertThat(body).isEqualTo(reply.parts().get(0));
    assertThat(rx()).isEqualTo(reply.length()).isEqualTo(backend.bodyBytesSent());
  }

  @Test
  void aTaggedRequestIsCountedOnTheDispatcherThread() throws Exception {
    Reply reply = Reply.sse(EVENTS);
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.STREAMING);
    CompletableFuture<String> read = new CompletableFuture<>();

    Request tagged = ActivityInterceptor.tag(post().newBuilder(), activity).build();
    client
        .newCall(tagged)
        .enqueue(
            new Callback() {
              @Override
              public void onFailure(Call call, IOException e) {
                read.completeExceptionally(e);
              }

              @Override
              public void onResponse(Call call, Response response) throws IOException {
                try (response) {
                  read.complete(response.body().string());
                }
              }
            });

    assertThat(read.get(20, TimeUnit.SECONDS)).isEqualTo(String.join("", EVENTS));
    assertThat(rx()).isEqualTo(reply.length());
  }

  @Test
  void closingTheBodyEarlyStopsCountingAndEndsNothing() throws IOException {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.STREAMING);

    try (ActivityScope scope = activity.makeCurrent()) {
      Response response = client.newCall(post()).execute();
      response.body().source().require(reply.bytes(1));
      response.close();
    }
    backend.release();

    assertThat(rx()).isEqualTo(reply.bytes(1));
    assertThat(activity.isOpen()).isTrue();
    assertThat(tracker().activeConnections()).isEqualTo(1);
  }

  @Test
  void cancellingTheCallStopsCountingAndEndsNothing() throws IOException {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.STREAMING);

    Call call;
    try (ActivityScope scope = activity.makeCurrent()) {
      call = client.newCall(post());
      Response response = call.execute();
      BufferedSource source = response.body().source();
      source.require(reply.bytes(1));
      call.cancel();
      backend.release();
      assertThatThrownBy(source::readByteArray).isInstanceOf(IOException.class);
      response.close();
    }

    assertThat(call.isCanceled()).isTrue();
    assertThat(rx()).isEqualTo(reply.bytes(1));
    assertThat(activity.isOpen()).isTrue();
  }

  @Test
  void withNoCurrentActivityTheBodyIsLeftAlone() throws IOException {
    Reply reply = Reply.json("{}");
    backend = StreamingBackend.start(body -> reply);

    try (Response response = client.newCall(post()).execute()) {
      assertThat(response.body().getClass().getName()).doesNotContain("Counting");
      assertThat(response.body().string()).isEqualTo("{}");
    }
    assertThat(rx()).isZero();
  }

  @Test
  void anEndedActivityIsNotCountedInto() throws IOException {
    Reply reply = Reply.json("{}");
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.NON_STREAMING);
    activity.end(EndReason.COMPLETED);

    try (ActivityScope scope = activity.makeCurrent();
        Response response = client.newCall(post()).execute()) {
      assertThat(response.body().getClass().getName()).doesNotContain("Counting");
      assertThat(response.body().string()).isEqualTo("{}");
    }
    assertThat(tracker().getGlobalSnapshot().cumulativeBytesRx()).isZero();
  }

  @Test
  void aFailureWhileCountingDoesNotBreakTheRead() throws IOException {
    Reply reply = Reply.sse(EVENTS);
    backend = StreamingBackend.start(body -> reply);
    ActivityHandle broken = new FailingHandle();
    OkHttpClient brokenClient =
        client
            .newBuilder()
            .addInterceptor(ActivityInterceptor.builder().activity(() -> broken).build())
            .build();

    try (Response response = brokenClient.newCall(post()).execute()) {
      assertThat(response.body().string()).isEqualTo(String.join("", EVENTS));
    }
  }

  @Test
  void aCustomSourceIsAskedOnTheCallingThread() throws IOException {
    Reply reply = Reply.json("{\"a\":1}");
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.NON_STREAMING);
    OkHttpClient custom =
        new OkHttpClient.Builder()
            .addInterceptor(ActivityInterceptor.builder().activity(() -> activity).build())
            .build();

    try (Response response = custom.newCall(post()).execute()) {
      response.body().string();
    } finally {
      custom.dispatcher().executorService().shutdownNow();
    }
    assertThat(rx()).isEqualTo(reply.length());
  }
}
