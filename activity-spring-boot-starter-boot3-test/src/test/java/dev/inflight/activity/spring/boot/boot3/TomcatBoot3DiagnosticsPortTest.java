package dev.inflight.activity.spring.boot.boot3;

import dev.inflight.activity.spring.boot.testing.DiagnosticsPortScenario;

/** The diagnostics listener of its own on Spring Boot 3.5 and Tomcat, a second connector. */
class TomcatBoot3DiagnosticsPortTest extends DiagnosticsPortScenario {}
