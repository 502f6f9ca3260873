package dev.inflight.activity.spring.boot.reactive;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.webflux.ActivityWebFilter;
import java.net.URI;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The reactive twin of the servlet proxy: a WebFlux controller forwarding {@code POST
 * /v1/chat/completions} to the backend named by {@code X-Backend-Url} with Boot's {@code
 * WebClient.Builder}, writing and flushing each chunk to the client as it arrives. No tracking code
 * of its own.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ReactiveProxyApplication.ReactiveProxyController.class)
public class ReactiveProxyApplication {

  /** The relaying controller. */
  @RestController
  public static class ReactiveProxyController {
    private final WebClient backend;

    /**
     * Builds the backend client from Boot's builder, which the starter customised.
     *
     * @param builder Boot's builder
     */
    public ReactiveProxyController(WebClient.Builder builder) {
      this.backend = builder.build();
    }

    /**
     * Relays one chat completion.
     *
     * @param backendUrl the backend's base URL
     * @param accept the client's Accept header, forwarded
     * @param response the response to the client
     * @return completion
     */
    @PostMapping("/v1/chat/completions")
    public Mono<Void> relay(
        @RequestHeader("X-Backend-Url") String backendUrl,
        @RequestHeader(value = "Accept", defaultValue = "*/*") String accept,
        ServerHttpResponse response) {
      return backend
          .post()
          .uri(URI.create(backendUrl + "/v1/chat/completions"))
          .header("Accept", accept)
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{\"stream\":true}")
          .retrieve()
          .toEntityFlux(DataBuffer.class)
          .flatMap(
              answer -> {
                response.setStatusCode(answer.getStatusCode());
                MediaType type = answer.getHeaders().getContentType();
                if (type != null) {
                  response.getHeaders().setContentType(type);
                }
                Flux<DataBuffer> body = answer.getBody();
                return response.writeWith(body == null ? Flux.empty() : body);
              });
    }

    /**
     * Attaches the request to a backend, then fails as a backend call can, for the error path.
     *
     * @param exchange the exchange
     * @return an error
     */
    @PostMapping("/v1/fail")
    public Mono<Void> fail(ServerWebExchange exchange) {
      ActivityWebFilter.activity(exchange)
          .attach("failing.backend", "gpt-test", ConnectionType.STREAMING);
      return Mono.error(new IllegalStateException("the backend failed"));
    }
  }
}
