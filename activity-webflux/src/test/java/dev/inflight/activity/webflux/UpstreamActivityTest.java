package dev.inflight.activity.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.RawHttp;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import dev.inflight.activity.webflux.testing.ReactorNettyServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A minimal gateway on Reactor Netty that copies its upstream's buffers into the response, as
 * Spring Cloud Gateway's {@code NettyWriteResponseFilter} does, through {@link UpstreamActivity}:
 * the request is attached, RX is what the upstream sent, TX what the client got.
 */
class UpstreamActivityTest {

  static final List<String> EVENTS = List.of("data: one\n\n", "data: twö\n\n", "data: [DONE]\n\n");

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(s -> s.endedListener(ended::add));

  ReactorNettyServer gateway;
  StreamingBackend backend;

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  /** A gateway whose last filter copies the upstream's body into what {@code glue} returns. */
  void startGateway(ActivityTracker tracker, UnaryOperator<ServerWebExchange> glue) {
    startGateway(tracker, glue, "Flux.just");
  }

  /**
   * A gateway whose last filter copies the upstream's body into what {@code glue} returns, flushing
   * it in groups of the given shape ({@code writeWith}: unflushed).
   */
  void startGateway(ActivityTracker tracker, UnaryOperator<ServerWebExchange> glue, String shape) {
    WebClient upstream = WebClient.create(backend.baseUrl());
    WebFilter copy =
        (exchange, chain) -> {
          ServerWebExchange counted = glue.apply(exchange);
          Flux<DataBuffer> body =
              upstream
                  .get()
                  .uri(exchange.getRequest().getPath().value())
                  .retrieve()
                  .bodyToFlux(DataBuffer.class);
          counted.getResponse().getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
          return write(counted.getResponse(), body, shape);
        };
    gateway =
        ReactorNettyServer.start(
            // never reached: the copying filter answers every request
            RouterFunctions.route().GET("/unused", request -> ServerResponse.ok().build()).build(),
            List.of(ActivityWebFilter.builder().tracker(tracker).build(), copy));
  }

  @Test
  void theUpstreamsBuffersAreRxAndTheRequestIsAttached() throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS));
    startGateway(
        fixture.tracker(),
        exchange -> UpstreamActivity.attach(exchange, "route-1", "m-1", ConnectionType.STREAMING));

    RawHttp.Response r = RawHttp.send(gateway.port(), "GET", "/x", Map.of("X-Session-Id", "s-up"));

    assertThat(r.body()).hasSize((int) Reply.sse(EVENTS).length());
    Await.until("the row ended", () -> ended.size() == 1);
    EndedConnection e = ended.get(0);
    assertThat(e.backend()).isEqualTo("route-1");
    assertThat(e.model()).isEqualTo("m-1");
    assertThat(e.type()).isEqualTo(ConnectionType.STREAMING);
    assertThat(e.bytesRx()).isEqualTo(backend.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(r.body().length);
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
  }

  static Mono<Void> write(ServerHttpResponse response, Flux<DataBuffer> body, String shape) {
    switch (shape) {
      case "Flux.just":
        return response.writeAndFlushWith(body.map(Flux::just));
      case "Mono.just":
        return response.writeAndFlushWith(body.map(Mono::just));
      case "one-buffer Mono":
        return response.writeAndFlushWith(body.map(b -> Mono.just(b).hide()));
      case "two-buffer Flux":
        return response.writeAndFlushWith(body.buffer(2).map(Flux::fromIterable));
      case "writeWith":
        return response.writeWith(body);
      default:
        throw new IllegalArgumentException(shape);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"Flux.just", "Mono.just", "one-buffer Mono", "two-buffer Flux", "writeWith"})
  void everyBufferIsRxOnceAndTxOnceWhateverTheShapeOfTheWrite(String shape) throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS));
    startGateway(
        fixture.tracker(),
        exchange -> UpstreamActivity.attach(exchange, "route-1", "m-1", ConnectionType.STREAMING),
        shape);

    RawHttp.Response r = RawHttp.send(gateway.port(), "GET", "/x", Map.of("X-Session-Id", "s-up"));

    assertThat(r.body()).hasSize((int) Reply.sse(EVENTS).length());
    Await.until("the row ended", () -> ended.size() == 1);
    EndedConnection e = ended.get(0);
    assertThat(e.bytesRx()).isEqualTo(backend.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(r.body().length);
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
  }

  @Test
  void theShortFormTakesTheTypeFromAcceptAndAnAttachedRequestKeepsItsBackend() throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS));
    startGateway(
        fixture.tracker(),
        exchange -> {
          ActivityWebFilter.activity(exchange).attach("chosen", null, ConnectionType.STREAMING);
          return UpstreamActivity.attach(exchange, "ignored");
        });

    RawHttp.send(gateway.port(), "GET", "/x", Map.of("X-Session-Id", "s-1"));
    Await.until("the row ended", () -> ended.size() == 1);
    assertThat(ended.get(0).backend()).isEqualTo("chosen");
    assertThat(ended.get(0).bytesRx()).isEqualTo(backend.bodyBytesSent());
  }

  @Test
  void theShortFormIsNonStreamingWithoutAnSseAccept() throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS));
    startGateway(fixture.tracker(), exchange -> UpstreamActivity.attach(exchange, "route-2"));

    RawHttp.send(gateway.port(), "GET", "/x", Map.of("Accept", "application/json"));
    Await.until("the row ended", () -> ended.size() == 1);
    assertThat(ended.get(0).type()).isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(ended.get(0).bytesRx()).isEqualTo(backend.bodyBytesSent());
  }

  @Test
  void countRxAloneCountsWithoutAttaching() throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS));
    startGateway(
        fixture.tracker(),
        exchange -> {
          ActivityWebFilter.activity(exchange).attach("mine", null, ConnectionType.STREAMING);
          return UpstreamActivity.countRx(exchange);
        });

    RawHttp.send(gateway.port(), "GET", "/x", Map.of());
    Await.until("the row ended", () -> ended.size() == 1);
    assertThat(ended.get(0).backend()).isEqualTo("mine");
    assertThat(ended.get(0).bytesRx()).isEqualTo(backend.bodyBytesSent());
  }

  @Test
  void anUntrackedExchangeIsReturnedAsItIs() throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS));
    List<Boolean> same = new CopyOnWriteArrayList<>();
    startGateway(
        ActivityTracker.disabled(),
        exchange -> {
          same.add(UpstreamActivity.attach(exchange, "r") == exchange);
          same.add(UpstreamActivity.countRx(exchange) == exchange);
          same.add(ActivityWebFilter.activity(exchange) == RequestActivity.disabled());
          return exchange;
        });

    RawHttp.Response r = RawHttp.send(gateway.port(), "GET", "/x", Map.of());

    assertThat(r.body()).hasSize((int) Reply.sse(EVENTS).length());
    assertThat(same).containsExactly(true, true, true);
  }
}
