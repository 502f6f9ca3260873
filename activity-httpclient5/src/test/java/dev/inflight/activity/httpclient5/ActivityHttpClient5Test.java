package dev.inflight.activity.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityScope;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.FailingHandle;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@SuppressWarnings("try") // scopes are opened for their effect on the thread
class ActivityHttpClient5Test {

  private static final List<String> EVENTS =
      List.of(
          "data: one\n\n", "data: two two\n\n", "data: three three three\n\n", "data: [DONE]\n\n");

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private final ActivityHttpClient5 rx = ActivityHttpClient5.builder().build();
  private StreamingBackend backend;

  @AfterEach
  void stopBackend() {
    if (backend != null) {
      backend.close();
    }
  }

  private long rx() {
    return fixture.tracker().getGlobalSnapshot().totalBytesRx();
  }

  private RequestActivity attached(ConnectionType type) {
    RequestActivity activity = fixture.tracker().beginRequest("s-1");
    activity.attach("backend.1", "gpt-4", type);
    return activity;
  }

  @Nested
  class Classic {

    private final CloseableHttpClient client =
        HttpClients.custom().addResponseInterceptorLast(rx.responseInterceptor()).build();

    @AfterEach
    void close() {
      client.close(CloseMode.IMMEDIATE);
    }

    private HttpPost post() {
      HttpPost post = new HttpPost(backend.uri("/v1/chat/completions"));
      post.setEntity(new StringEntity("{}", ContentType.APPLICATION_JSON));
      return post;
    }

    @Test
    void aStreamedBodyIsCountedAsTheCallerReadsIt() throws IOException {
      Reply reply = Reply.sse(EVENTS).holdAfter(1);
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.STREAMING);

      try (ActivityScope scope = activity.makeCurrent()) {
        client.execute(
            post(),
            response -> {
              try (InputStream in = response.getEntity().getContent()) {
                in.readNBytes((int) reply.bytes(1));
                assertThat(rx()).isEqualTo(reply.bytes(1)); // mid-stream
                backend.release();
                in.readAllBytes();
              }
              return null;
            });
      }

      assertThat(rx()).isEqualTo(reply.length()).isEqualTo(backend.bodyBytesSent());
      assertThat(activity.isOpen()).isTrue(); // the server side ends it
    }

    @Test
    void aPlainBodyIsCountedWhole() throws IOException {
      Reply reply = Reply.json("{\"id\":\"c-1\",\"choices\":[]}");
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.NON_STREAMING);

      String body;
      try (ActivityScope scope = activity.makeCurrent()) {
        body = client.execute(post(), response -> EntityUtils.toString(response.getEntity()));
      }

      assertThat(body).isEqualTo(reply.parts().get(0));
      assertThat(rx()).isEqualTo(reply.length()).isEqualTo(backend.bodyBytesSent());
    }

    @Test
    void anActivityInTheContextIsUsedWithoutAScope() throws IOException {
      Reply reply = Reply.json("{\"a\":1}");
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.NON_STREAMING);
      HttpClientContext context = HttpClientContext.create();
      ActivityHttpClient5.attach(context, activity);

      client.execute(post(), context, response -> EntityUtils.toString(response.getEntity()));

      assertThat(rx()).isEqualTo(reply.length());
    }

    @Test
    void closingTheStreamEarlyStopsCounting() throws IOException {
      Reply reply = Reply.sse(EVENTS).holdAfter(1);
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.STREAMING);

      try (ActivityScope scope = activity.makeCurrent()) {
        client.execute(
            post(),
            response -> {
              InputStream in = response.getEntity().getContent();
              in.readNBytes((int) reply.bytes(1));
              backend.release();
              backend.awaitPartsSent(EVENTS.size());
              in.close(); // the client drains the rest to reuse the connection: not counted
              return null;
            });
      }

      assertThat(rx()).isEqualTo(reply.bytes(1));
      assertThat(activity.isOpen()).isTrue();
    }

    @Test
    void withNoActivityTheEntityIsLeftAlone() throws IOException {
      Reply reply = Reply.json("{}");
      backend = StreamingBackend.start(body -> reply);

      try (ClassicHttpResponse response = client.executeOpen(null, post(), null)) {
        assertThat(response.getEntity().getClass().getName()).doesNotContain("Counting");
        EntityUtils.consume(response.getEntity());
      }
      assertThat(rx()).isZero();
    }
  }

  /** The classic client's edges: other ways to read, other sources, failures that stay local. */
  @Nested
  class ClassicEdges {

    private HttpPost post() {
      HttpPost post = new HttpPost(backend.uri("/v1/chat/completions"));
      post.setEntity(new StringEntity("{}", ContentType.APPLICATION_JSON));
      return post;
    }

    private CloseableHttpClient clientWith(ActivityHttpClient5 counting) {
      return HttpClients.custom()
          .addResponseInterceptorLast(counting.responseInterceptor())
          .build();
    }

    @Test
    void bytesReadOneAtATimeAndSkippedAreCounted() throws IOException {
      Reply reply = Reply.json("{\"id\":\"c-1\",\"choices\":[{\"index\":0}]}");
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.NON_STREAMING);

      byte[] rest;
      try (CloseableHttpClient client = clientWith(rx);
          ActivityScope scope = activity.makeCurrent()) {
        rest =
            client.execute(
                post(),
                response -> {
                  try (InputStream in = response.getEntity().getContent()) {
                    assertThat(in.read()).isEqualTo('{');
                    assertThat(rx()).isEqualTo(1);
                    assertThat(in.skip(5)).isEqualTo(5);
                    assertThat(rx()).isEqualTo(6);
                    return in.readAllBytes();
                  }
                });
      }

      assertThat(new String(rest, StandardCharsets.UTF_8))
          .isEqualTo(reply.parts().get(0).substring(6));
      assertThat(rx()).isEqualTo(reply.length());
    }

    @Test
    void anEntityWrittenToAStreamIsCounted() throws IOException {
      Reply reply = Reply.json("{\"id\":\"c-2\"}");
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.NON_STREAMING);
      java.io.ByteArrayOutputStream copy = new java.io.ByteArrayOutputStream();

      try (CloseableHttpClient client = clientWith(rx);
          ActivityScope scope = activity.makeCurrent()) {
        client.execute(
            post(),
            response -> {
              response.getEntity().writeTo(copy);
              return null;
            });
      }

      assertThat(copy.toString(StandardCharsets.UTF_8)).isEqualTo(reply.parts().get(0));
      assertThat(rx()).isEqualTo(reply.length());
    }

    @Test
    void theBuildersSourceIsUsedWhenTheContextHasNoActivity() throws IOException {
      Reply reply = Reply.json("{\"id\":\"c-3\"}");
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.NON_STREAMING);
      ActivityHttpClient5 fromSource =
          ActivityHttpClient5.builder().activity(() -> activity).build();

      try (CloseableHttpClient client = clientWith(fromSource)) { // no scope on this thread
        client.execute(post(), response -> EntityUtils.toString(response.getEntity()));
      }

      assertThat(rx()).isEqualTo(reply.length());
    }

    @Test
    void aFailingSourceCountsNothingAndTheCallGoesOn() throws IOException {
      Reply reply = Reply.json("{\"id\":\"c-4\"}");
      backend = StreamingBackend.start(body -> reply);
      ActivityHttpClient5 broken =
          ActivityHttpClient5.builder()
              .activity(
                  () -> {
                    throw new IllegalStateException("no activity here");
                  })
              .build();

      String body;
      try (CloseableHttpClient client = clientWith(broken)) {
        body = client.execute(post(), response -> EntityUtils.toString(response.getEntity()));
      }

      assertThat(body).isEqualTo(reply.parts().get(0));
      assertThat(rx()).isZero();
    }

    @Test
    void anActivityThatFailsToCountDoesNotBreakTheRead() throws IOException {
      Reply reply = Reply.sse(EVENTS);
      backend = StreamingBackend.start(body -> reply);
      FailingHandle failing = new FailingHandle();
      HttpClientContext context = HttpClientContext.create();
      ActivityHttpClient5.attach(context, failing);

      String body;
      try (CloseableHttpClient client = clientWith(rx)) {
        body =
            client.execute(post(), context, response -> EntityUtils.toString(response.getEntity()));
      }

      assertThat(body).isEqualTo(String.join("", EVENTS));
      assertThat(failing.attempted()).isEqualTo(reply.length()); // every read tried to count
    }

    @Test
    void anActivityThatIsNoLongerOpenLeavesTheEntityAlone() throws IOException {
      Reply reply = Reply.json("{}");
      backend = StreamingBackend.start(body -> reply);
      RequestActivity ended = attached(ConnectionType.NON_STREAMING);
      ended.close();
      HttpClientContext context = HttpClientContext.create();
      ActivityHttpClient5.attach(context, ended);

      try (CloseableHttpClient client = clientWith(rx);
          ClassicHttpResponse response = client.executeOpen(null, post(), context)) {
        assertThat(response.getEntity().getClass().getName()).doesNotContain("Counting");
        EntityUtils.consume(response.getEntity());
      }
    }
  }

  @Nested
  class Async {

    private final CloseableHttpAsyncClient client =
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

    private SimpleRequestProducer post() {
      return SimpleRequestProducer.create(
          SimpleRequestBuilder.post(backend.uri("/v1/chat/completions"))
              .setBody("{}", ContentType.APPLICATION_JSON)
              .build());
    }

    private HttpClientContext contextOf(RequestActivity activity) {
      HttpClientContext context = HttpClientContext.create();
      ActivityHttpClient5.attach(context, activity);
      return context;
    }

    @Test
    void eachChunkIsCountedAsItArrives() throws Exception {
      Reply reply = Reply.sse(EVENTS).holdAfter(1);
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.STREAMING);
      Received received = new Received();

      Future<String> done = client.execute(post(), received, contextOf(activity), null);
      // a chunk counts once the consumer took it, so wait on the count, not on the consumer
      Await.until("the first event counted", () -> rx() >= reply.bytes(1));
      assertThat(rx()).isEqualTo(reply.bytes(1)).isEqualTo(received.bytes.get()); // mid-stream
      backend.release();

      assertThat(done.get(20, TimeUnit.SECONDS)).isEqualTo(String.join("", EVENTS));
      assertThat(rx()).isEqualTo(reply.length()).isEqualTo(backend.bodyBytesSent());
      assertThat(activity.isOpen()).isTrue();
    }

    @Test
    void aPlainBodyIsCountedWhole() throws Exception {
      Reply reply = Reply.json("{\"id\":\"c-1\"}");
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.NON_STREAMING);

      String body = client.execute(post(), new Received(), contextOf(activity), null).get();

      assertThat(body).isEqualTo(reply.parts().get(0));
      assertThat(rx()).isEqualTo(reply.length());
    }

    @Test
    void theCurrentActivityIsReadWhenTheCallStarts() throws Exception {
      Reply reply = Reply.json("{\"id\":\"c-2\"}");
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.NON_STREAMING);

      Future<String> done;
      try (ActivityScope scope = activity.makeCurrent()) {
        done = client.execute(post(), new Received(), null);
      }
      done.get(20, TimeUnit.SECONDS);

      assertThat(rx()).isEqualTo(reply.length());
    }

    @Test
    void cancellingStopsCounting() throws Exception {
      Reply reply = Reply.sse(EVENTS).holdAfter(1);
      backend = StreamingBackend.start(body -> reply);
      RequestActivity activity = attached(ConnectionType.STREAMING);
      Received received = new Received();

      Future<String> done = client.execute(post(), received, contextOf(activity), null);
      Await.until("the first event counted", () -> rx() >= reply.bytes(1));
      done.cancel(true);
      backend.release();
      backend.awaitHandled(1);
      // the client either closed the connection (and released the consumer) or still hands it
      // the rest; either way none of it counts
      Await.until(
          "the exchange released or the rest delivered",
          () -> received.released.get() || received.bytes.get() == reply.length());

      assertThat(rx()).isEqualTo(reply.bytes(1));
      assertThat(activity.isOpen()).isTrue();
    }
  }

  /** Collects the body as it arrives, and tells how much arrived. */
  private static final class Received extends AbstractBinResponseConsumer<String> {
    final AtomicLong bytes = new AtomicLong();
    final AtomicBoolean released = new AtomicBoolean();
    private final StringBuilder body = new StringBuilder();

    @Override
    protected void start(HttpResponse response, ContentType contentType) {}

    @Override
    protected String buildResult() {
      synchronized (body) {
        return body.toString();
      }
    }

    @Override
    protected int capacityIncrement() {
      return 64 * 1024;
    }

    @Override
    protected void data(ByteBuffer data, boolean endOfStream) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      synchronized (body) {
        body.append(new String(chunk, StandardCharsets.UTF_8));
      }
      bytes.addAndGet(chunk.length);
    }

    @Override
    public void releaseResources() {
      released.set(true);
    }
  }
}
