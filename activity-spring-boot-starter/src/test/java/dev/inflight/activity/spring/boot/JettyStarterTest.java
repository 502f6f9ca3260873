package dev.inflight.activity.spring.boot;

import dev.inflight.activity.spring.boot.testing.ProxyScenario;

/**
 * The servlet scenario on Jetty 12.1 (ee11), with {@code spring-boot-starter-jetty} and without
 * Tomcat on the class path; RestClient calls out with Jetty's client.
 */
class JettyStarterTest extends ProxyScenario {
  @Override
  protected String expectedWebServer() {
    return "Jetty";
  }
}
