package dev.inflight.activity.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityScope;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@SuppressWarnings("try") // scopes are opened for their effect on the thread
class JettyClientActivityTest {

  private static final List<String> EVENTS =
      List.of(
          "data: one\n\n", "data: two two\n\n", "data: three three three\n\n", "data: [DONE]\n\n");

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private final HttpClient client = new HttpClient();
  private StreamingBackend backend;

  @BeforeEach
  void start() throws Exception {
    client.start();
  }

  @AfterEach
  void stop() throws Exception {
    client.stop();
    if (backend != null) {
      backend.close();
    }
  }

  private long rx() {
    return fixture.tracker().getGlobalSnapshot().totalBytesRx();
  }

  private RequestActivity attached(ConnectionType type) {
    RequestActivity activity = fixture.tracker().beginRequest("s-1");
    activity.attach("backend.1", null, type);
    return activity;
  }

  private Request post() {
    return client
        .POST(backend.uri("/v1/chat/completions"))
        .body(new StringRequestContent("application/json", "{}"))
        .timeout(20, TimeUnit.SECONDS);
  }

  @Test
  void eachChunkIsCountedAsItArrives() throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.STREAMING);
    AtomicLong received = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);

    JettyClientActivity.countRx(post(), activity)
        .onResponseContent((response, content) -> received.addAndGet(content.remaining()))
        .send(result -> done.countDown());
    Await.until("the first event", () -> received.get() == reply.bytes(1));
    assertThat(rx()).isEqualTo(reply.bytes(1)); // the backend holds the rest back
    backend.release();
    Await.await(done);

    assertThat(received.get()).isEqualTo(reply.length());
    assertThat(rx()).isEqualTo(reply.length()).isEqualTo(backend.bodyBytesSent());
    assertThat(activity.isOpen()).isTrue();
  }

  @Test
  void theCurrentActivityIsReadWhenTheRequestIsPrepared() throws Exception {
    Reply reply = Reply.json("{\"id\":\"c-1\"}");
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.NON_STREAMING);

    Request request;
    try (ActivityScope scope = activity.makeCurrent()) {
      request = JettyClientActivity.countRx(post());
    }
    String body = request.send().getContentAsString();

    assertThat(body).isEqualTo(reply.parts().get(0));
    assertThat(rx()).isEqualTo(reply.length());
  }

  @Test
  void anAbortedExchangeStopsCounting() throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = StreamingBackend.start(body -> reply);
    RequestActivity activity = attached(ConnectionType.STREAMING);
    AtomicLong received = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);

    Request request =
        JettyClientActivity.countRx(post(), activity)
            .onResponseContent((response, content) -> received.addAndGet(content.remaining()));
    request.send(result -> done.countDown());
    Await.until("the first event", () -> received.get() == reply.bytes(1));
    assertThat(request.abort(new Exception("the client left")).get(20, TimeUnit.SECONDS)).isTrue();
    Await.await(done);
    backend.release();
    backend.awaitHandled(1);

    assertThat(rx()).isEqualTo(reply.bytes(1));
    assertThat(activity.isOpen()).isTrue();
  }

  @Test
  void aDisabledActivityLeavesTheRequestUntouched() throws Exception {
    backend = StreamingBackend.start(body -> Reply.json("{}"));

    Request request = JettyClientActivity.countRx(post(), RequestActivity.disabled());

    assertThat(request.send().getContentAsString()).isEqualTo("{}");
    assertThat(rx()).isZero();
  }
}
