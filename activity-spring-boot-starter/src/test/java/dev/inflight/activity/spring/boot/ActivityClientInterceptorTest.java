package dev.inflight.activity.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityScope;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

/** The RestClient RX interceptor against a real backend, without Spring Boot around it. */
class ActivityClientInterceptorTest {

  private final ActivityTracker tracker =
      ActivityTracker.create(
          ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());

  @AfterEach
  void close() {
    tracker.close();
  }

  @Test
  @SuppressWarnings("try") // the scope is opened for its effect on the thread
  void countsAsTheCallerReadsAndAttachesAnUnattachedRequest() throws Exception {
    Reply reply = Reply.sse(List.of("data: 1\n\n", "data: 2\n\n")).holdAfter(1);
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      RestClient client =
          RestClient.builder().requestInterceptor(ActivityClientInterceptor.create()).build();
      RequestActivity request = tracker.beginRequest("s-1");
      try (ActivityScope scope = request.makeCurrent()) {
        client
            .get()
            .uri(backend.uri("/v1/chat"))
            .exchange(
                (req, res) -> {
                  InputStream in = res.getBody();
                  assertThat(in.readNBytes((int) reply.bytes(1))).hasSize((int) reply.bytes(1));
                  // mid-stream: what was read so far, in a streaming row named after the target
                  assertThat(tracker.getGlobalSnapshot().totalBytesRx()).isEqualTo(reply.bytes(1));
                  backend.release();
                  in.readAllBytes();
                  return null;
                });
      }
      request.end(EndReason.COMPLETED);
      EndedConnection ended = tracker.recentlyEnded().get(0);
      assertThat(ended.backend()).isEqualTo("127.0.0.1:" + backend.port());
      assertThat(ended.type()).isEqualTo(ConnectionType.STREAMING);
      assertThat(ended.bytesRx()).isEqualTo(backend.bodyBytesSent()).isEqualTo(reply.length());
    }
  }

  @Test
  @SuppressWarnings("try") // the scope is opened for its effect on the thread
  void anAttachmentOfTheApplicationIsKeptAndNamesCanBeChosen() throws Exception {
    Reply reply = Reply.json("{\"ok\":true}");
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      RestClient named =
          RestClient.builder()
              .requestInterceptor(
                  ActivityClientInterceptor.builder().backendName(r -> "vllm.1").build())
              .build();
      RestClient plain =
          RestClient.builder().requestInterceptor(ActivityClientInterceptor.create()).build();

      RequestActivity first = tracker.beginRequest("s-named");
      try (ActivityScope scope = first.makeCurrent()) {
        assertThat(named.get().uri(backend.uri("/a")).retrieve().body(String.class))
            .isEqualTo("{\"ok\":true}");
      }
      first.end(EndReason.COMPLETED);
      RequestActivity second = tracker.beginRequest("s-own");
      second.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
      try (ActivityScope scope = second.makeCurrent()) {
        plain.get().uri(backend.uri("/b")).retrieve().body(String.class);
      }
      second.end(EndReason.COMPLETED);

      assertThat(tracker.recentlyEnded())
          .extracting(EndedConnection::backend, EndedConnection::type, EndedConnection::bytesRx)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(
                  "vllm.1", ConnectionType.NON_STREAMING, reply.length()),
              org.assertj.core.groups.Tuple.tuple(
                  "openai.1", ConnectionType.STREAMING, reply.length()));
    }
  }

  @Test
  void withoutACurrentRequestOrWithAttachOffNothingIsTracked() throws Exception {
    Reply reply = Reply.json("{}");
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      RestClient client =
          RestClient.builder().requestInterceptor(ActivityClientInterceptor.create()).build();
      assertThat(client.get().uri(backend.uri("/")).retrieve().body(String.class)).isEqualTo("{}");

      RequestActivity request = tracker.beginRequest("s-off");
      RestClient noAttach =
          RestClient.builder()
              .requestInterceptor(
                  ActivityClientInterceptor.builder().attach(false).activity(() -> request).build())
              .build();
      noAttach.get().uri(backend.uri("/")).retrieve().body(String.class);
      assertThat(request.isAttached()).isFalse();
      request.end(EndReason.COMPLETED);
      assertThat(tracker.recentlyEnded()).isEmpty(); // a request that never attached leaves no row
      assertThat(tracker.getGlobalSnapshot().cumulativeBytesRx()).isZero();
    }
  }
}
