package dev.inflight.activity.spring.boot;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.ServletActivity;
import dev.inflight.activity.testing.Http2Contract;
import dev.inflight.activity.testing.Http2Contract.Stream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet application of {@link BootHttp2Contract}: a Spring MVC controller that attaches each
 * request to the contract's backend and writes the contract's chunks through the response's output
 * stream, flushing each. The starter's filter does all the counting.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(Http2Application.StreamController.class)
public class Http2Application {

  /** Serves {@code /fixed} and {@code /gated}. */
  @RestController
  public static class StreamController {
    private final BootHttp2Contract.Streams streams;

    /**
     * Takes the contract's streams.
     *
     * @param streams the test's streams bean
     */
    public StreamController(BootHttp2Contract.Streams streams) {
      this.streams = streams;
    }

    /**
     * Writes the stream the request asks for.
     *
     * @param request the request
     * @param response the response
     * @throws IOException when the client reset the stream or left
     */
    @GetMapping({"/fixed", "/gated"})
    public void stream(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      Stream stream =
          streams.open(
              request::getParameter, request.getHeader(RequestActivity.DEFAULT_SESSION_HEADER));
      ServletActivity.of(request)
          .attach(stream.backend(), Http2Contract.MODEL, ConnectionType.STREAMING);
      response.setContentType("application/octet-stream");
      ServletOutputStream out = response.getOutputStream();
      stream.writeAll(out::write, out::flush);
    }
  }
}
