package dev.inflight.activity.spring.boot;

import dev.inflight.activity.spring.boot.testing.ProxyScenario;

/**
 * The servlet scenario on Boot 4's default container, Tomcat 11, calling out with the JDK client.
 */
class TomcatStarterTest extends ProxyScenario {
  @Override
  protected String expectedWebServer() {
    return "Tomcat";
  }
}
