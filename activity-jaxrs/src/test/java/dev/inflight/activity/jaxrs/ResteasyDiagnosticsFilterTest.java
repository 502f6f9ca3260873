package dev.inflight.activity.jaxrs;

/** {@link DiagnosticsFilterContract} on RESTEasy. */
class ResteasyDiagnosticsFilterTest extends DiagnosticsFilterContract {
  @Override
  JaxrsRuntime runtime() {
    return new ResteasyRuntime();
  }
}
