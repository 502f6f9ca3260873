package dev.inflight.activity.spring.boot.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.spring.boot.testing.ProxyScenario;
import org.junit.jupiter.api.Test;

/**
 * The proxy scenario on Boot 4's reactive stack: WebFlux on Reactor Netty, the {@code
 * ActivityWebFilter} and {@code DiagnosticsWebFilter} mounted by the starter, and the backend
 * called with Boot's {@code WebClient.Builder}, which the starter gave the RX filter.
 */
class ReactiveNettyStarterTest extends ProxyScenario {
  @Override
  protected Class<?> application() {
    return ReactiveProxyApplication.class;
  }

  @Override
  protected String filterBean() {
    return "inflightActivityWebFilter";
  }

  @Override
  protected String expectedWebServer() {
    return "Netty";
  }

  @Test
  void theApplicationIsReactive() {
    assertThat(context().getClass().getSimpleName()).contains("Reactive");
    assertThat(context().containsBean("inflightActivityFilter")).isFalse();
    assertThat(context().containsBean("inflightDiagnosticsWebFilter")).isTrue();
  }
}
