package dev.inflight.activity.jaxrs;

/** {@link ActivityFeatureContract} on RESTEasy. */
class ResteasyActivityFeatureTest extends ActivityFeatureContract {
  @Override
  JaxrsRuntime runtime() {
    return new ResteasyRuntime();
  }

  @Override
  boolean unmappedExceptionsReachFilters() {
    return true;
  }
}
