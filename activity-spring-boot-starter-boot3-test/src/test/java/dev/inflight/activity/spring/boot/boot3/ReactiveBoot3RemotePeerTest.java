package dev.inflight.activity.spring.boot.boot3;

import dev.inflight.activity.spring.boot.reactive.ReactiveProxyApplication;
import dev.inflight.activity.spring.boot.testing.RemotePeerScenario;

/** The remote-peer scenario on Spring Boot 3.5, WebFlux 6.2 and Reactor Netty. */
class ReactiveBoot3RemotePeerTest extends RemotePeerScenario {
  @Override
  protected Class<?> application() {
    return ReactiveProxyApplication.class;
  }
}
