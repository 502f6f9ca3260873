package dev.inflight.activity.spring.boot;

import dev.inflight.activity.spring.boot.testing.RemotePeerScenario;

/** The remote-peer scenario on Tomcat 11. */
class TomcatRemotePeerTest extends RemotePeerScenario {}
