package dev.inflight.activity.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.H2Backend;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import dev.inflight.activity.testing.TestCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.internal.http2.StreamResetException;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ActivityInterceptor} on HTTP/2, against a real h2 backend; runs on OkHttp 4.12 and on
 * OkHttp 5 (see the module's pom).
 */
class ActivityInterceptorHttp2Test {

  private static final List<String> EVENTS =
      List.of(
          "data: one\n\n", "data: two two\n\n", "data: three three three\n\n", "data: [DONE]\n\n");

  /** How the client reaches the backend. */
  enum Transport {
    /** TLS, offering h2 and http/1.1 by ALPN (OkHttp's default): the backend picks h2. */
    TLS_ALPN(Protocol.HTTP_2),
    /** Cleartext HTTP/2 with prior knowledge. */
    H2C_PRIOR_KNOWLEDGE(Protocol.H2_PRIOR_KNOWLEDGE);

    final Protocol negotiated;

    Transport(Protocol negotiated) {
      this.negotiated = negotiated;
    }
  }

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private OkHttpClient client;
  private H2Backend backend;

  @AfterEach
  void stop() {
    if (client != null) {
      client.dispatcher().executorService().shutdownNow();
      client.connectionPool().evictAll();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private OkHttpClient client(Transport transport) {
    OkHttpClient.Builder builder =
        new OkHttpClient.Builder()
            .addNetworkInterceptor(ActivityInterceptor.create())
            .readTimeout(20, TimeUnit.SECONDS);
    if (transport == Transport.TLS_ALPN) {
      TestCertificate certificate = TestCertificate.get();
      builder.sslSocketFactory(
          certificate.clientContext().getSocketFactory(), certificate.trustManager());
    } else {
      builder.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    }
    client = builder.build();
    return client;
  }

  private Request post(Transport transport, RequestActivity activity) {
    String url =
        (transport == Transport.TLS_ALPN
                ? backend.tls("/v1/chat/completions")
                : backend.h2c("/v1/chat/completions"))
            .toString();
    Request.Builder request =
        new Request.Builder()
            .url(url)
            .post(RequestBody.create("{}".getBytes(StandardCharsets.UTF_8)));
    return ActivityInterceptor.tag(request, activity).build();
  }

  private RequestActivity attached(String session) {
    RequestActivity activity = fixture.tracker().beginRequest(session);
    activity.attach("backend.1", "gpt-4", ConnectionType.STREAMING);
    return activity;
  }

  private List<Long> rows() {
    return fixture.tracker().getBackendSnapshot("backend.1").orElseThrow().connections().stream()
        .map(c -> c.bytesRx())
        .toList();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aStreamedBodyIsCountedAsTheCallerReadsIt(Transport transport) throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = H2Backend.start(reply);
    RequestActivity activity = attached("s-1");

    try (Response response = client(transport).newCall(post(transport, activity)).execute()) {
      assertThat(response.protocol()).isEqualTo(transport.negotiated);
      BufferedSource source = response.body().source();
      source.require(reply.bytes(1));
      assertThat(rows()).containsExactly(reply.bytes(1)); // mid-stream: the backend holds the rest

      backend.release();
      assertThat(source.readByteArray()).hasSize((int) reply.length()); // require() only buffered
    }

    assertThat(rows()).containsExactly(reply.length());
    assertThat(backend.bodyBytesSent()).isEqualTo(reply.length());
    assertThat(activity.isOpen()).isTrue(); // the server side ends it, not the client
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aStreamResetMidBodyKeepsWhatWasReadAndTheRowEndsErroredOnce(Transport transport)
      throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(2);
    backend = H2Backend.resetting(reply);
    RequestActivity activity = attached("s-1");

    IOException failure;
    try (Response response = client(transport).newCall(post(transport, activity)).execute()) {
      assertThat(response.protocol()).isEqualTo(transport.negotiated);
      BufferedSource source = response.body().source();
      source.require(reply.bytes(2));
      assertThat(rows()).containsExactly(reply.bytes(2));

      backend.release();
      failure = catchThrowableOfType(IOException.class, source::readByteArray);
    }
    backend.awaitHandled();

    // the stream's RST_STREAM, not a closed connection
    assertThat(failure).isInstanceOf(StreamResetException.class);
    assertThat(rows()).containsExactly(reply.bytes(2));
    assertThat(backend.bodyBytesSent()).isEqualTo(reply.bytes(2));

    activity.end(failure); // what a proxy does with its failed backend call
    activity.close();
    List<EndedConnection> ended = fixture.tracker().recentlyEnded();
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).reason()).isEqualTo(EndReason.ERRORED);
    assertThat(ended.get(0).bytesRx()).isEqualTo(reply.bytes(2));
    assertThat(fixture.tracker().getGlobalSnapshot().ended().total()).isEqualTo(1);
  }

  @Test
  void twoStreamsOnOneConnectionCountIntoTheirOwnRows() throws Exception {
    Reply reply = Reply.sse(EVENTS).holdAfter(1);
    backend = H2Backend.start(reply);
    OkHttpClient multiplexing = client(Transport.TLS_ALPN);
    RequestActivity a = attached("s-a");
    RequestActivity b = attached("s-b");

    try (Response one = multiplexing.newCall(post(Transport.TLS_ALPN, a)).execute();
        Response two = multiplexing.newCall(post(Transport.TLS_ALPN, b)).execute()) {
      one.body().source().require(reply.bytes(1));
      two.body().source().require(reply.bytes(1));
      assertThat(multiplexing.connectionPool().connectionCount()).isEqualTo(1);
      assertThat(rows()).containsExactly(reply.bytes(1), reply.bytes(1));

      backend.release();
      one.body().source().readByteArray();
      two.body().source().readByteArray();
    }

    assertThat(rows()).containsExactly(reply.length(), reply.length());
  }
}
