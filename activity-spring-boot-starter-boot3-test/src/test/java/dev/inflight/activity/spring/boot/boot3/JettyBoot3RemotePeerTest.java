package dev.inflight.activity.spring.boot.boot3;

import dev.inflight.activity.spring.boot.testing.RemotePeerScenario;

/** The remote-peer scenario on Spring Boot 3.5 and Jetty 12.0. */
class JettyBoot3RemotePeerTest extends RemotePeerScenario {}
