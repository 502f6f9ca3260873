package dev.inflight.activity.spring.boot;

import dev.inflight.activity.spring.boot.testing.RemotePeerScenario;

/** The remote-peer scenario on Jetty 12.1. */
class JettyRemotePeerTest extends RemotePeerScenario {}
