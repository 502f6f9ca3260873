package dev.inflight.activity.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.inflight.activity.vertx.testing.VertxServer;
import org.junit.jupiter.api.Test;

/**
 * The proxy interceptor is written for vertx-http-proxy 5; on Vert.x 4.5 (the module
 * activity-vertx4-test runs this class there) it refuses to be made, with an error that says why,
 * rather than break the proxied requests.
 */
class ActivityProxyInterceptorVersionTest {

  @Test
  void isMadeOnVertx5AndRefusedWithAReasonOnVertx4() {
    if (VertxServer.isVertx5()) {
      assertThat(ActivityProxyInterceptor.create()).isNotNull();
      assertThat(ActivityProxyInterceptor.builder().build()).isNotNull();
    } else {
      assertThatIllegalStateException()
          .isThrownBy(ActivityProxyInterceptor::create)
          .withMessageContaining("needs Vert.x 5");
      assertThatIllegalStateException()
          .isThrownBy(() -> ActivityProxyInterceptor.builder().build())
          .withMessageContaining("runs Vert.x 4");
    }
  }
}
