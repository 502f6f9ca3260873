package dev.inflight.activity.spring.boot.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.spring.boot.testing.ProxyScenario;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

/** The servlet scenario on Spring Boot 3.5 and its Tomcat 10.1 (Servlet 6.0). */
class TomcatBoot3Test extends ProxyScenario {
  @Override
  protected String expectedWebServer() {
    return "Tomcat";
  }

  @Test
  void runsOnBoot35() {
    assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    assertThat(org.apache.catalina.util.ServerInfo.getServerNumber()).startsWith("10.1.");
  }
}
