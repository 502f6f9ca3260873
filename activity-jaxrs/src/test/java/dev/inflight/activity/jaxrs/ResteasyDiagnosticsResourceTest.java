package dev.inflight.activity.jaxrs;

/** {@link DiagnosticsResourceContract} on RESTEasy. */
class ResteasyDiagnosticsResourceTest extends DiagnosticsResourceContract {
  @Override
  JaxrsRuntime runtime() {
    return new ResteasyRuntime();
  }
}
