package dev.inflight.activity.webflux.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.ManualTracker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The counting decorator against a fake server that records what it is handed: what is counted and
 * when, what reaches the server (scalar groups unchanged, single buffers as a {@link Mono}), the RX
 * decorator stacked on the tracking one counting both in one pass, and which cancellations mean
 * that the client left.
 */
class CountingResponseTest {

  static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  RequestActivity activity;
  FakeServer server;

  @BeforeEach
  void setUp() {
    activity = fixture.tracker().beginRequest("s-1");
    activity.attach("b-1", null, ConnectionType.STREAMING);
    server = new FakeServer();
  }

  ConnectionSnapshot row() {
    return fixture.tracker().getBackendSnapshot("b-1").orElseThrow().connections().get(0);
  }

  static DataBuffer buffer(String text) {
    return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(UTF_8));
  }

  @Test
  void aScalarGroupIsCountedAsItIsHandedOnAndReachesTheServerAsItIs() {
    CountingResponse tx = new CountingResponse(server, activity, false);
    Mono<DataBuffer> first = Mono.just(buffer("abc"));
    Flux<DataBuffer> second = Flux.just(buffer("defgh"));

    tx.writeAndFlushWith(Flux.just(first, second)).block(WAIT);

    assertThat(server.groups).containsExactly(first, second);
    assertThat(server.written).isEqualTo(8);
    assertThat(row().bytesTx()).isEqualTo(8);
    assertThat(row().bytesRx()).isZero();
    assertThat(activity.isClientGone()).isFalse();
  }

  @Test
  void otherGroupsAreCountedBufferByBufferAsTheyEmit() {
    CountingResponse tx = new CountingResponse(server, activity, false);
    Flux<DataBuffer> several = Flux.just("ab", "cde", "f").map(CountingResponseTest::buffer);
    Mono<DataBuffer> deferred = Mono.fromSupplier(() -> buffer("ghij"));

    tx.writeAndFlushWith(Flux.just(several, deferred, Mono.<DataBuffer>empty())).block(WAIT);

    assertThat(server.groups).hasSize(3);
    assertThat(server.groups.get(1)).isInstanceOf(Mono.class); // a single buffer stays a Mono
    assertThat(server.written).isEqualTo(10);
    assertThat(row().bytesTx()).isEqualTo(10);
  }

  @Test
  void aBodyIsCountedPerBuffer() {
    CountingResponse tx = new CountingResponse(server, activity, false);
    tx.writeWith(Flux.just("ab", "cde").map(CountingResponseTest::buffer)).block(WAIT);
    new CountingResponse(new FakeServer(), activity, false)
        .writeWith(Mono.just(buffer("fghi")))
        .block(WAIT);

    assertThat(server.written).isEqualTo(5);
    assertThat(row().bytesTx()).isEqualTo(9);
    assertThat(activity.isClientGone()).isFalse();
  }

  @Test
  void anRxResponseOverTheTrackingOneCountsBothInOnePass() {
    CountingResponse tracking = new CountingResponse(server, activity, false);
    CountingResponse upstream = new CountingResponse(tracking, activity, true);
    Mono<DataBuffer> scalar = Mono.just(buffer("abcd"));

    upstream
        .writeAndFlushWith(
            Flux.just(scalar, Flux.just("ef", "g").map(CountingResponseTest::buffer)))
        .block(WAIT);
    upstream.writeWith(Mono.just(buffer("hi"))).block(WAIT);

    assertThat(upstream.getDelegate()).isSameAs(tracking);
    assertThat(server.groups.get(0)).isSameAs(scalar);
    assertThat(row().bytesRx()).isEqualTo(9);
    assertThat(row().bytesTx()).isEqualTo(9);
  }

  @Test
  void anRxResponseOverAnotherResponseCountsRxAlone() {
    CountingResponse upstream = new CountingResponse(server, activity, true);

    upstream.writeAndFlushWith(Flux.just(Mono.just(buffer("abcd")))).block(WAIT);

    assertThat(row().bytesRx()).isEqualTo(4);
    assertThat(row().bytesTx()).isZero();
  }

  @Test
  void anRxResponseOverTheTrackingResponseOfAnotherRequestStacks() {
    RequestActivity other = fixture.tracker().beginRequest("s-2");
    other.attach("b-1", null, ConnectionType.STREAMING);
    CountingResponse tracking = new CountingResponse(server, other, false);
    CountingResponse upstream = new CountingResponse(tracking, activity, true);

    upstream.writeAndFlushWith(Flux.just(Mono.just(buffer("abcd")))).block(WAIT);

    assertThat(fixture.tracker().getBackendSnapshot("b-1").orElseThrow().connections())
        .extracting(
            ConnectionSnapshot::sessionId, ConnectionSnapshot::bytesRx, ConnectionSnapshot::bytesTx)
        .containsExactlyInAnyOrder(tuple("s-1", 4L, 0L), tuple("s-2", 0L, 4L));
  }

  @Test
  void aStreamCancelledBeforeItsEndMeansTheClientLeft() {
    server.limit = 2;
    CountingResponse tx = new CountingResponse(server, activity, false);

    tx.writeAndFlushWith(Flux.range(0, 100).map(i -> Mono.just(buffer("ab")))).block(WAIT);

    assertThat(server.written).isEqualTo(4);
    assertThat(activity.isClientGone()).isTrue();
  }

  @Test
  void aBodyCancelledBeforeItsEndMeansTheClientLeft() {
    server.limit = 1;

    new CountingResponse(server, activity, false)
        .writeWith(Flux.range(0, 100).map(i -> buffer("ab")))
        .block(WAIT);

    assertThat(activity.isClientGone()).isTrue();
  }

  @Test
  void theSameCancellationOfAnRxStreamAloneMeansNothing() {
    server.limit = 2;

    new CountingResponse(server, activity, true)
        .writeAndFlushWith(Flux.range(0, 100).map(i -> Mono.just(buffer("ab"))))
        .block(WAIT);

    assertThat(activity.isClientGone()).isFalse();
  }

  @Test
  void anRxResponseOverTheTrackingOneStillTellsAClientThatLeft() {
    server.limit = 2;
    CountingResponse upstream =
        new CountingResponse(new CountingResponse(server, activity, false), activity, true);

    upstream.writeAndFlushWith(Flux.range(0, 100).map(i -> Mono.just(buffer("ab")))).block(WAIT);

    assertThat(activity.isClientGone()).isTrue();
  }

  @Test
  void anErrorGroupIsPassedOnUncounted() {
    CountingResponse tx = new CountingResponse(server, activity, false);
    Mono<DataBuffer> failed = Mono.error(new IllegalStateException("upstream failed"));

    Mono<Void> write = tx.writeAndFlushWith(Flux.just(Mono.just(buffer("ab")), failed));

    assertThat(write.onErrorResume(e -> Mono.empty()).block(WAIT)).isNull();
    assertThat(server.groups).contains(failed);
    assertThat(row().bytesTx()).isEqualTo(2);
  }

  /**
   * A server that records the groups it is handed and writes them as Reactor Netty does (groups one
   * after the other), dropping the connection after {@code limit} buffers.
   */
  static final class FakeServer extends AbstractServerHttpResponse {
    final List<Publisher<? extends DataBuffer>> groups = new CopyOnWriteArrayList<>();
    long limit = Long.MAX_VALUE;
    long written;

    FakeServer() {
      super(DefaultDataBufferFactory.sharedInstance);
    }

    @Override
    @SuppressWarnings("TypeParameterUnusedInFormals") // Spring's signature
    public <T> T getNativeResponse() {
      throw new UnsupportedOperationException();
    }

    @Override
    protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
      return write(Flux.from(body));
    }

    @Override
    protected Mono<Void> writeAndFlushWithInternal(
        Publisher<? extends Publisher<? extends DataBuffer>> body) {
      return write(Flux.from(body).doOnNext(groups::add).concatMap(Flux::from));
    }

    private Mono<Void> write(Flux<? extends DataBuffer> buffers) {
      return buffers.take(limit).doOnNext(b -> written += b.readableByteCount()).then();
    }

    @Override
    protected void applyStatusCode() {}

    @Override
    protected void applyHeaders() {}

    @Override
    protected void applyCookies() {}
  }
}
