package dev.inflight.activity.jaxrs;

/** {@link DiagnosticsResourceContract} on Jersey. */
class JerseyDiagnosticsResourceTest extends DiagnosticsResourceContract {
  @Override
  JaxrsRuntime runtime() {
    return new JerseyRuntime();
  }
}
