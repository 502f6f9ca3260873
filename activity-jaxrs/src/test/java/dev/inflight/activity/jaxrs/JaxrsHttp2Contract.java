package dev.inflight.activity.jaxrs;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.testing.Http2Contract;
import dev.inflight.activity.testing.ManualTracker;
import java.util.List;

/**
 * {@link ActivityFeature} under HTTP/2: the test kit's HTTP/2 cases (h2c with prior knowledge, h2
 * over TLS with ALPN; one stream, a reset among ten, a storm of streams with random resets, a
 * dropped socket, a joined session) on embedded Jetty 12, with the feature registered as an
 * application registers it and one {@link Http2Resource} streaming each chunk through a {@code
 * StreamingOutput}. A subclass names the Jakarta REST implementation.
 */
abstract class JaxrsHttp2Contract extends Http2Contract {

  /**
   * The implementation this class runs on.
   *
   * @return its runtime
   */
  abstract JaxrsRuntime runtime();

  @Override
  protected Server start() {
    ActivityTracker tracker = new ManualTracker().tracker();
    TestServer server =
        TestServer.startWithHttp2(
            runtime(),
            List.of(
                ActivityFeature.builder().tracker(tracker).build(),
                new Http2Resource(this::stream)));
    return new Server(
        server.port(),
        server.tlsPort(),
        tracker,
        () -> {
          try {
            server.close();
          } finally {
            tracker.close();
          }
        });
  }
}
