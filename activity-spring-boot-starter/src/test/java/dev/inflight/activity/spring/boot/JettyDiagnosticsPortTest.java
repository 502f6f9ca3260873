package dev.inflight.activity.spring.boot;

import dev.inflight.activity.spring.boot.testing.DiagnosticsPortScenario;

/** The diagnostics listener of its own as a second Jetty 12.1 connector. */
class JettyDiagnosticsPortTest extends DiagnosticsPortScenario {}
