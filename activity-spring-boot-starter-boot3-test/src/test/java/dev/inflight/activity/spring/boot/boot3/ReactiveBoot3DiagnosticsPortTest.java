package dev.inflight.activity.spring.boot.boot3;

import dev.inflight.activity.spring.boot.reactive.ReactiveProxyApplication;
import dev.inflight.activity.spring.boot.testing.DiagnosticsPortScenario;

/** The diagnostics listener of its own on Spring Boot 3.5: a Reactor Netty server. */
class ReactiveBoot3DiagnosticsPortTest extends DiagnosticsPortScenario {
  @Override
  protected Class<?> application() {
    return ReactiveProxyApplication.class;
  }
}
