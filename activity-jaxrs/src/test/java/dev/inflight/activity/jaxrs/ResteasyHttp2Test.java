package dev.inflight.activity.jaxrs;

/** {@link JaxrsHttp2Contract} on RESTEasy's servlet 3 dispatcher, on Jetty 12. */
class ResteasyHttp2Test extends JaxrsHttp2Contract {
  @Override
  JaxrsRuntime runtime() {
    return new ResteasyRuntime();
  }
}
