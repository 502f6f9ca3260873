package dev.inflight.activity.spring.boot.reactive;

import dev.inflight.activity.spring.boot.testing.RemotePeerScenario;

/** The remote-peer scenario on WebFlux and Reactor Netty. */
class ReactiveRemotePeerTest extends RemotePeerScenario {
  @Override
  protected Class<?> application() {
    return ReactiveProxyApplication.class;
  }
}
