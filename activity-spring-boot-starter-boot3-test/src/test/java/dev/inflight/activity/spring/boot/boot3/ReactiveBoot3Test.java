package dev.inflight.activity.spring.boot.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.spring.boot.reactive.ReactiveProxyApplication;
import dev.inflight.activity.spring.boot.testing.ProxyScenario;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.core.SpringVersion;

/**
 * The proxy scenario on Spring Boot 3.5's reactive stack: WebFlux 6.2 on Reactor Netty, the
 * WebClient RX filter added by the starter's post-processor (Boot 3.5 has no Boot 4 customizer).
 */
class ReactiveBoot3Test extends ProxyScenario {
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
  void runsOnBoot35() {
    assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    assertThat(SpringVersion.getVersion()).startsWith("6.2.");
  }
}
