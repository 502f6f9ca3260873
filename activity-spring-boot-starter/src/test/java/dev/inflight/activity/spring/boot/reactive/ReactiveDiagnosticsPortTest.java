package dev.inflight.activity.spring.boot.reactive;

import dev.inflight.activity.spring.boot.testing.DiagnosticsPortScenario;

/** The diagnostics listener of its own as a Reactor Netty server beside WebFlux's. */
class ReactiveDiagnosticsPortTest extends DiagnosticsPortScenario {
  @Override
  protected Class<?> application() {
    return ReactiveProxyApplication.class;
  }
}
