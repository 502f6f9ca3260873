package dev.inflight.activity.spring.boot;

import dev.inflight.activity.spring.boot.testing.DiagnosticsPortScenario;

/** The diagnostics listener of its own as a second Tomcat 11 connector. */
class TomcatDiagnosticsPortTest extends DiagnosticsPortScenario {}
