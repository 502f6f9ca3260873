package dev.inflight.activity.spring.boot.testing;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * A small LLM proxy as a user would write it with the starter: a controller that forwards {@code
 * POST /v1/chat/completions} to the backend named by the {@code X-Backend-Url} header (so each test
 * can bring its own {@code StreamingBackend}) with Boot's {@code RestClient.Builder}, and relays
 * the answer to the client as it arrives, flushing each chunk. It has no tracking code of its own.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ProxyApplication.ProxyController.class)
public class ProxyApplication {

  /** Printed by {@link #main} once the server listens, followed by the port. */
  public static final String PORT_LINE = "inflight-test-port=";

  /**
   * Starts the proxy and prints {@value #PORT_LINE} and its port, for tests that run it in a child
   * JVM with an environment of their own.
   *
   * @param args Boot's command line
   */
  public static void main(String[] args) {
    ConfigurableApplicationContext context = SpringApplication.run(ProxyApplication.class, args);
    System.out.println(PORT_LINE + context.getEnvironment().getProperty("local.server.port"));
    System.out.flush();
  }

  /** The relaying controller. */
  @RestController
  public static class ProxyController {
    private final RestClient backend;

    /**
     * Builds the backend client from Boot's builder, which the starter customised.
     *
     * @param builder Boot's builder
     */
    public ProxyController(RestClient.Builder builder) {
      this.backend = builder.build();
    }

    /**
     * Relays one chat completion.
     *
     * @param backendUrl the backend's base URL
     * @param body the request body, forwarded as it is
     * @param response the response to the client
     */
    @PostMapping("/v1/chat/completions")
    public void relay(
        @RequestHeader("X-Backend-Url") String backendUrl,
        @RequestBody(required = false) byte[] body,
        HttpServletResponse response) {
      backend
          .post()
          .uri(URI.create(backendUrl + "/v1/chat/completions"))
          .contentType(MediaType.APPLICATION_JSON)
          .body(body == null ? new byte[0] : body)
          .exchange(
              (request, answer) -> {
                response.setStatus(answer.getStatusCode().value());
                MediaType type = answer.getHeaders().getContentType();
                if (type != null) {
                  response.setContentType(type.toString());
                }
                relay(answer.getBody(), response.getOutputStream());
                return null;
              });
    }

    /**
     * Attaches the request to a backend, then fails as a backend call can, for the error path.
     *
     * @param request the client's request
     */
    @PostMapping("/v1/fail")
    public void fail(jakarta.servlet.http.HttpServletRequest request) {
      dev.inflight.activity.servlet.ServletActivity.of(request)
          .attach("failing.backend", "gpt-test", dev.inflight.activity.ConnectionType.STREAMING);
      throw new IllegalStateException("the backend failed");
    }

    private static void relay(InputStream in, OutputStream out) throws IOException {
      byte[] buffer = new byte[8192];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    }
  }
}
