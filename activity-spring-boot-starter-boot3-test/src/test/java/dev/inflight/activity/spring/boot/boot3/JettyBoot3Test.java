package dev.inflight.activity.spring.boot.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.spring.boot.testing.ProxyScenario;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

/** The servlet scenario on Spring Boot 3.5 and its Jetty 12.0 (ee10, Servlet 6.0). */
class JettyBoot3Test extends ProxyScenario {
  @Override
  protected String expectedWebServer() {
    return "Jetty";
  }

  @Test
  void runsOnBoot35() {
    assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    assertThat(org.eclipse.jetty.util.Jetty.VERSION).startsWith("12.0.");
  }
}
