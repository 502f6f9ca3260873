package dev.inflight.activity.spring.boot;

/**
 * The HTTP/2 cases on Boot 4's Tomcat 11 with {@code server.http2.enabled=true}: h2c with prior
 * knowledge on the plain port, h2 over TLS with ALPN on the other.
 */
class TomcatHttp2Test extends BootHttp2Contract {
  @Override
  protected Class<?> application() {
    return Http2Application.class;
  }

  @Override
  protected String expectedWebServer() {
    return "Tomcat";
  }
}
