package dev.inflight.activity.servlet;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.ServletContainer;
import dev.inflight.activity.servlet.testing.ServletContainer.FilterMount;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.servlet.testing.ServletContainer.Setup;
import dev.inflight.activity.testing.ManualTracker;
import jakarta.servlet.ServletOutputStream;
import java.util.List;

/**
 * The filter under HTTP/2, on one container started with {@link Setup#withHttp2()}: the test kit's
 * HTTP/2 cases (h2c with prior knowledge, h2 over TLS with ALPN; one stream, a reset among ten, a
 * storm of streams with random resets, a dropped socket, a joined session), served by one servlet
 * that writes and flushes each chunk through its output stream.
 */
abstract class Http2Contract extends dev.inflight.activity.testing.Http2Contract {

  /**
   * The container this group runs on.
   *
   * @return the container's starter
   */
  protected abstract ServletContainer container();

  @Override
  protected Server start() throws Exception {
    ActivityTracker tracker = new ManualTracker().tracker();
    ServletContainer.Running running =
        container()
            .start(
                Setup.LOOPBACK.withHttp2(),
                List.of(FilterMount.of(ActivityFilter.builder().tracker(tracker).build(), "/*")),
                List.of(
                    new ServletMount(
                        ContainerContract.servlet(
                            (req, res) -> {
                              Stream stream =
                                  stream(
                                      req::getParameter,
                                      req.getHeader(RequestActivity.DEFAULT_SESSION_HEADER));
                              ServletActivity.of(req)
                                  .attach(stream.backend(), MODEL, ConnectionType.STREAMING);
                              res.setContentType("application/octet-stream");
                              ServletOutputStream out = res.getOutputStream();
                              stream.writeAll(out::write, out::flush);
                            }),
                        "/*")));
    return new Server(
        running.port(),
        running.tlsPort(),
        tracker,
        () -> {
          try {
            running.close();
          } finally {
            tracker.close();
          }
        });
  }
}
