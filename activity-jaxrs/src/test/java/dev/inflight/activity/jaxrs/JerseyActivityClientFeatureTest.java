package dev.inflight.activity.jaxrs;

/** {@link ActivityClientFeatureContract} on Jersey, server and client. */
class JerseyActivityClientFeatureTest extends ActivityClientFeatureContract {
  @Override
  JaxrsRuntime runtime() {
    return new JerseyRuntime();
  }
}
