package dev.inflight.activity.webflux.gateway;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.webflux.ActivityWebFilter;
import dev.inflight.activity.webflux.DiagnosticsWebFilter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Cloud Gateway application routing {@code /v1/**} to the backend named by the property
 * {@code backend.url} (route {@code chat}), and {@code /down/**} to {@code down.url}, where nothing
 * listens (route {@code down}), with inflight mounted as the module README shows. The tracker is
 * registered by the test.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class GatewayApp {

  @Bean
  ActivityWebFilter activityWebFilter(ActivityTracker tracker) {
    return ActivityWebFilter.builder().tracker(tracker).build();
  }

  @Bean
  DiagnosticsWebFilter diagnosticsWebFilter(ActivityTracker tracker) {
    return DiagnosticsWebFilter.builder().tracker(tracker).build();
  }

  @Bean
  ActivityRoutes activityRoutes() {
    return new ActivityRoutes();
  }

  @Bean
  RouteLocator routes(
      RouteLocatorBuilder routes,
      @Value("${backend.url}") String backend,
      @Value("${down.url:http://127.0.0.1:9}") String down) {
    return routes
        .routes()
        .route("chat", r -> r.path("/v1/**").uri(backend))
        .route("down", r -> r.path("/down/**").uri(down))
        .build();
  }
}
