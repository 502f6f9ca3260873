package dev.inflight.activity.jaxrs;

/** {@link ActivityFeatureContract} on Jersey. */
class JerseyActivityFeatureTest extends ActivityFeatureContract {
  @Override
  JaxrsRuntime runtime() {
    return new JerseyRuntime();
  }
}
