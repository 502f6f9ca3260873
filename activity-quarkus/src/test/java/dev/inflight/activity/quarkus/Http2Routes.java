package dev.inflight.activity.quarkus;

import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** The routes of the test kit's HTTP/2 cases, served by {@link QuarkusHttp2Test}. */
@Singleton
public class Http2Routes {

  void routes(@Observes Router router) {
    router.get("/fixed").handler(QuarkusHttp2Test::serve);
    router.get("/gated").handler(QuarkusHttp2Test::serve);
  }
}
