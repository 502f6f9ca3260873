package dev.inflight.activity.spring.boot;

/**
 * The HTTP/2 cases on Jetty 12.1 (ee11) with {@code server.http2.enabled=true}, with Jetty's {@code
 * jetty-http2-server} and {@code jetty-alpn-java-server} on the class path (Boot's Jetty starter
 * does not bring them): h2c with prior knowledge on the plain port, h2 over TLS with ALPN on the
 * other.
 */
class JettyHttp2Test extends BootHttp2Contract {
  @Override
  protected Class<?> application() {
    return Http2Application.class;
  }

  @Override
  protected String expectedWebServer() {
    return "Jetty";
  }
}
