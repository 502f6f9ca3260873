package dev.inflight.activity.jaxrs;

/** {@link DiagnosticsFilterContract} on Jersey. */
class JerseyDiagnosticsFilterTest extends DiagnosticsFilterContract {
  @Override
  JaxrsRuntime runtime() {
    return new JerseyRuntime();
  }
}
