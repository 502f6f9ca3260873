package dev.inflight.activity.jaxrs;

/** {@link ActivityClientFeatureContract} on RESTEasy, server and client. */
class ResteasyActivityClientFeatureTest extends ActivityClientFeatureContract {
  @Override
  JaxrsRuntime runtime() {
    return new ResteasyRuntime();
  }
}
