package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.webflux.ActivityWebFilter;
import dev.inflight.activity.webflux.UpstreamActivity;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The end-to-end benchmark's server on Spring WebFlux over Reactor Netty: a {@link WebHandler}
 * streams server-sent events, each one its own flushed group ({@code writeAndFlushWith}), behind
 * the web filters a WebFlux application assembles with {@link WebHttpHandlerBuilder}.
 *
 * <ul>
 *   <li>{@code netty-none}: the handler alone, no inflight code.
 *   <li>{@code netty-disabled}, {@code netty-enabled}: {@link ActivityWebFilter} with tracking off
 *       or on; the handler attaches the exchange to its backend with {@link UpstreamActivity},
 *       which counts what it writes into the response as RX on its way to the filter, which counts
 *       it as TX (with tracking off the exchange comes back unchanged).
 * </ul>
 *
 * <p>Each server runs on its own event loops (one selector, two workers), named after the variant,
 * so that their CPU time can be told apart.
 */
final class NettySseServer implements SseServer {

  /** Every variant this server knows, the bare server first. */
  static final List<String> VARIANTS = List.of("netty-none", "netty-disabled", "netty-enabled");

  /**
   * The prefix of the variants that share one server, switched from one to the next before each
   * measured stretch, as {@link JettySseServer#SWITCHED} does for Jetty: {@code
   * netty-switched-none}, {@code netty-switched-none-2} (the control), {@code
   * netty-switched-disabled}, {@code netty-switched-enabled}. Each variant keeps its own clients,
   * and so its own connections: a connection tracking was on for keeps the inflight handler in its
   * pipeline, and only the tracking variant's connections ever get it.
   */
  static final String SWITCHED = EndToEndBenchmark.NETTY + "switched-";

  /** The switched variants, the bare one first. */
  static final List<String> SWITCHED_VARIANTS =
      List.of(
          SWITCHED + "none",
          SWITCHED + "disabled",
          SWITCHED + "enabled",
          SWITCHED + JettySseServer.CONTROL);

  /** The one server of the switched variants, while any of them runs. */
  private static final SharedServer<Switched> SWITCHED_SERVER =
      new SharedServer<>(
          s -> {
            s.server.disposeNow();
            s.loops.dispose();
          });

  private final DisposableServer server;
  private final LoopResources loops;

  private NettySseServer(DisposableServer server, LoopResources loops) {
    this.server = server;
    this.loops = loops;
  }

  /**
   * Starts a server.
   *
   * @param variant one of {@link #VARIANTS}
   * @param tracker the tracker of the inflight filter (unused by {@code netty-none})
   * @param event one event, as the backend sends it
   * @param chunks how many events a response streams
   * @return the running server
   * @throws Exception if the server does not start
   */
  static SseServer start(String variant, ActivityTracker tracker, byte[] event, int chunks)
      throws Exception {
    if (variant.startsWith(SWITCHED)) {
      return startSwitched(variant, tracker, event, chunks);
    }
    WebHttpHandlerBuilder app;
    switch (variant) {
      case "netty-none":
        app = WebHttpHandlerBuilder.webHandler(new SseHandler(event, chunks, false));
        break;
      case "netty-disabled":
      case "netty-enabled":
        app =
            WebHttpHandlerBuilder.webHandler(new SseHandler(event, chunks, true))
                .filter(ActivityWebFilter.builder().tracker(tracker).build());
        break;
      default:
        throw new IllegalArgumentException("unknown Reactor Netty variant " + variant);
    }
    LoopResources loops =
        LoopResources.create(EndToEndBenchmark.serverThreadPrefix(variant), 1, 2, true);
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .runOn(loops)
            .handle(new ReactorHttpHandlerAdapter(app.build()))
            .bindNow();
    return new NettySseServer(server, loops);
  }

  /**
   * A switched variant: the one server of {@link #SWITCHED}, started by the first of them and
   * stopped by the last, with this variant's application as its selectable mode.
   */
  private static SseServer startSwitched(
      String variant, ActivityTracker tracker, byte[] event, int chunks) throws Exception {
    String mode = variant.substring(SWITCHED.length());
    HttpHandler app =
        switch (mode) {
          case "none", JettySseServer.CONTROL ->
              WebHttpHandlerBuilder.webHandler(new SseHandler(event, chunks, false)).build();
          case "disabled", "enabled" ->
              WebHttpHandlerBuilder.webHandler(new SseHandler(event, chunks, true))
                  .filter(ActivityWebFilter.builder().tracker(tracker).build())
                  .build();
          default -> throw new IllegalArgumentException("unknown Reactor Netty variant " + variant);
        };
    Switched server = SWITCHED_SERVER.acquire(Switched::start);
    return new SseServer() {
      @Override
      public int port() {
        return server.server.port();
      }

      @Override
      public void select() {
        server.handler.selected = app;
      }

      @Override
      public void stop() throws Exception {
        SWITCHED_SERVER.release();
      }
    };
  }

  /** The one server of the switched variants. */
  private static final class Switched {
    final DisposableServer server;
    final LoopResources loops;
    final SwitchHandler handler;

    private Switched(DisposableServer server, LoopResources loops, SwitchHandler handler) {
      this.server = server;
      this.loops = loops;
      this.handler = handler;
    }

    static Switched start() {
      SwitchHandler handler = new SwitchHandler();
      LoopResources loops =
          LoopResources.create(EndToEndBenchmark.serverThreadPrefix(SWITCHED + "none"), 1, 2, true);
      DisposableServer server =
          HttpServer.create()
              .host("127.0.0.1")
              .port(0)
              .runOn(loops)
              .handle(new ReactorHttpHandlerAdapter(handler))
              .bindNow();
      return new Switched(server, loops, handler);
    }
  }

  /**
   * The switched server's handler: the selected variant's application. Its own cost, one volatile
   * read and a call, is the same in every variant.
   */
  private static final class SwitchHandler implements HttpHandler {
    volatile @Nullable HttpHandler selected;

    @Override
    public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
      HttpHandler app = selected;
      if (app == null) {
        return Mono.error(new IllegalStateException("no variant selected"));
      }
      return app.handle(request, response);
    }
  }

  @Override
  public int port() {
    return server.port();
  }

  @Override
  public void stop() {
    server.disposeNow();
    loops.dispose();
  }

  /**
   * The proxy's handler: forwards the backend's events to the client, each flushed on its own, like
   * an SSE proxy. With {@code instrumented} it attaches the exchange to its backend and counts what
   * it forwards as received, through the WebFlux adapter's API.
   */
  static final class SseHandler implements WebHandler {
    private final byte[] event;
    private final int chunks;
    private final boolean instrumented;

    SseHandler(byte[] event, int chunks, boolean instrumented) {
      this.event = event;
      this.chunks = chunks;
      this.instrumented = instrumented;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange) {
      ServerWebExchange proxied =
          instrumented
              ? UpstreamActivity.attach(
                  exchange, EndToEndBenchmark.BACKEND, "gpt-4", ConnectionType.STREAMING)
              : exchange;
      ServerHttpResponse response = proxied.getResponse();
      response.setStatusCode(HttpStatus.OK);
      response.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
      response.getHeaders().setCacheControl("no-cache");
      DataBufferFactory buffers = response.bufferFactory();
      Flux<DataBuffer> backend = Flux.range(0, chunks).map(i -> buffers.wrap(event));
      return response.writeAndFlushWith(backend.map(Mono::just));
    }
  }
}
