package dev.inflight.activity.spring.boot.reactive;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.spring.boot.BootHttp2Contract;
import dev.inflight.activity.testing.Http2Contract;
import dev.inflight.activity.testing.Http2Contract.Outcome;
import dev.inflight.activity.testing.Http2Contract.Stream;
import dev.inflight.activity.webflux.ActivityWebFilter;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The WebFlux application of {@link BootHttp2Contract}: a controller that attaches each exchange to
 * the contract's backend and writes the contract's chunks as a {@code Flux} of buffers generated on
 * {@code boundedElastic} (a gated chunk waits for its turn there, not on an event loop), each chunk
 * a group of its own, flushed on its own ({@code writeAndFlushWith}). A chunk is accepted once it
 * is handed to the server; the server's side ends {@code CANCELLED} when Reactor Netty cancels the
 * body (a reset stream, a dropped connection), {@code FAILED} on an error, {@code RETURNED} when
 * the write completes. The starter's {@code WebFilter} does all the counting.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ReactiveHttp2Application.ReactiveStreamController.class)
public class ReactiveHttp2Application {

  /** Serves {@code /fixed} and {@code /gated}. */
  @RestController
  public static class ReactiveStreamController {
    private final BootHttp2Contract.Streams streams;

    /**
     * Takes the contract's streams.
     *
     * @param streams the test's streams bean
     */
    public ReactiveStreamController(BootHttp2Contract.Streams streams) {
      this.streams = streams;
    }

    /**
     * Writes the stream the request asks for.
     *
     * @param exchange the exchange
     * @return the response's writing
     */
    @GetMapping({"/fixed", "/gated"})
    public Mono<Void> stream(ServerWebExchange exchange) {
      ServerHttpRequest request = exchange.getRequest();
      Stream stream =
          streams.open(
              request.getQueryParams()::getFirst,
              request.getHeaders().getFirst(RequestActivity.DEFAULT_SESSION_HEADER));
      ActivityWebFilter.activity(exchange)
          .attach(stream.backend(), Http2Contract.MODEL, ConnectionType.STREAMING);
      ServerHttpResponse response = exchange.getResponse();
      response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
      Flux<Mono<DataBuffer>> chunks =
          Flux.<Mono<DataBuffer>, Integer>generate(
                  () -> 0,
                  (i, sink) -> {
                    if (!stream.hasChunk(i)) {
                      sink.complete();
                      return i;
                    }
                    stream.awaitTurn(i);
                    sink.next(Mono.just(response.bufferFactory().wrap(stream.chunk())));
                    stream.accepted();
                    return i + 1;
                  })
              .subscribeOn(Schedulers.boundedElastic())
              .doOnComplete(() -> stream.end(Outcome.RETURNED))
              .doOnError(e -> stream.end(Outcome.FAILED))
              .doOnCancel(() -> stream.end(Outcome.CANCELLED));
      return response.writeAndFlushWith(chunks);
    }
  }
}
