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
import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http2.Http2Protocol;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet application of {@link BootHttp2Contract}: a Spring MVC controller that attaches each
 * request to the contract's backend and writes the contract's chunks through the response's output
 * stream, flushing each. The starter's filter does all the counting.
 *
 * <p>On Tomcat it lowers the HTTP/2 write timeout from 5 s to {@value
 * TomcatWriteTimeout#WRITE_TIMEOUT_MILLIS} ms: when a client drops the connection while a handler's
 * write is blocked on it (the socket's buffers full), Tomcat sometimes leaves that write waiting
 * until the timeout rather than failing it when the connection closes, and the row ends then (see
 * the README).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({Http2Application.StreamController.class, Http2Application.TomcatWriteTimeout.class})
public class Http2Application {

  /** Tomcat's HTTP/2 write timeout, below the contract's 5 s for a dropped connection's rows. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.apache.coyote.http2.Http2Protocol")
  public static class TomcatWriteTimeout {
    /** How long Tomcat lets an HTTP/2 write block; its default is 5000. */
    public static final long WRITE_TIMEOUT_MILLIS = 3000;

    /**
     * Sets the write timeout of the HTTP/2 protocol Boot added to the connector.
     *
     * @return the customizer
     */
    @Bean
    public TomcatConnectorCustomizer http2WriteTimeout() {
      return connector -> {
        for (UpgradeProtocol protocol : connector.findUpgradeProtocols()) {
          if (protocol instanceof Http2Protocol http2) {
            http2.setWriteTimeout(WRITE_TIMEOUT_MILLIS);
          }
        }
      };
    }
  }

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
