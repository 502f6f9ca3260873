package dev.inflight.activity.jaxrs;

/** {@link JaxrsHttp2Contract} on Jersey's servlet container, on Jetty 12. */
class JerseyHttp2Test extends JaxrsHttp2Contract {
  @Override
  JaxrsRuntime runtime() {
    return new JerseyRuntime();
  }
}
