package dev.inflight.activity.quarkus;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.vertx.VertxActivity;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** A plain Vert.x route of the application, next to its REST resources. */
@Singleton
public class PlainRoutes {

  static final String BODY = "{\"route\":\"plain\"}";

  void routes(@Observes Router router) {
    router
        .route("/route/json")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(
            ctx -> {
              VertxActivity.of(ctx)
                  .attach(ChatResource.BACKEND, null, ConnectionType.NON_STREAMING);
              ctx.response().putHeader("Content-Type", "application/json").end(BODY);
            });
  }
}
