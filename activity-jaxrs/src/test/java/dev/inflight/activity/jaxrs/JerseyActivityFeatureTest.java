package dev.inflight.activity.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.EndCounts;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ActivityFeatureContract} on Jersey, plus what only Jersey has. */
class JerseyActivityFeatureTest extends ActivityFeatureContract {
  @Override
  JaxrsRuntime runtime() {
    return new JerseyRuntime();
  }

  @Override
  boolean unmappedExceptionsReachFilters() {
    return false;
  }

  @Override
  List<Object> extraSingletons() {
    return List.of(new JerseyOnlyResource(workers));
  }

  @Test
  void chunkedOutputCountsEveryChunkAndEndsWhenClosed() throws Exception {
    HttpResponse<byte[]> r = get("/j/chunked?chunks=40&size=3000");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(120_000);
    assertOneRowSent(120_000, "ChunkedOutput");
  }

  @Test
  void unwrappedSseSinkEndsWhenClosed() throws Exception {
    HttpResponse<byte[]> r = get("/j/sse-raw?events=5");
    assertThat(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("payload-4");
    assertOneRowSent(r.body().length, "unwrapped SseEventSink");
  }

  @Test
  void resourceCanAttachThroughInjectedRequestContext() throws Exception {
    HttpResponse<byte[]> r = get("/j/context");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(awaitEnded(1)).isEqualTo(new EndCounts(1, 0, 0, 0));
    assertThat(backend().cumulativeBytesTx()).isEqualTo(r.body().length);
  }
}
