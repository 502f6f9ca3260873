package dev.inflight.activity.servlet.testing;

import dev.inflight.activity.testing.TestCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.RemoteIpValve;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/** Embedded Tomcat 11, in a temporary base directory deleted on close. */
public final class TomcatContainer implements ServletContainer {

  @Override
  public Running start(Setup setup, List<FilterMount> filters, List<ServletMount> servlets)
      throws Exception {
    Path base = Files.createTempDirectory("inflight-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", setup.host());
    if (setup.http2()) {
      // h2c: prior knowledge and the HTTP/1.1 upgrade, beside HTTP/1.1
      connector.addUpgradeProtocol(http2());
    }
    tomcat.setConnector(connector);
    Connector loopback = null;
    if (setup.loopbackListener()) {
      loopback = new Connector("HTTP/1.1");
      loopback.setPort(0);
      loopback.setProperty("address", "127.0.0.1");
      tomcat.getService().addConnector(loopback);
    }
    Connector tls = null;
    if (setup.http2()) {
      tls = tlsConnector();
      tomcat.getService().addConnector(tls);
    }
    if (setup.forwarding() != Forwarding.NONE) {
      RemoteIpValve valve = new RemoteIpValve();
      if (setup.forwarding() == Forwarding.TRUST_ALL) {
        valve.setInternalProxies(".*");
        valve.setHostHeader("X-Forwarded-Host");
        valve.setPortHeader("X-Forwarded-Port");
        valve.setProtocolHeader("X-Forwarded-Proto");
        valve.setChangeLocalName(true);
        valve.setChangeLocalPort(true);
      }
      tomcat.getEngine().getPipeline().addValve(valve);
    }

    Context context = tomcat.addContext("", base.toAbsolutePath().toString());
    int n = 0;
    for (FilterMount f : filters) {
      String name = "filter-" + n++;
      FilterDef def = new FilterDef();
      def.setFilterName(name);
      def.setFilter(f.filter());
      def.setFilterClass(f.filter().getClass().getName());
      def.setAsyncSupported("true");
      f.params().forEach(def::addInitParameter);
      context.addFilterDef(def);
      FilterMap map = new FilterMap();
      map.setFilterName(name);
      map.addURLPattern(f.pattern());
      f.dispatchers().forEach(d -> map.setDispatcher(d.name()));
      context.addFilterMap(map);
    }
    for (ServletMount s : servlets) {
      String name = "servlet-" + n++;
      Wrapper wrapper = Tomcat.addServlet(context, name, s.servlet());
      wrapper.setAsyncSupported(true);
      s.params().forEach(wrapper::addInitParameter);
      context.addServletMapping(s.pattern(), name);
    }
    tomcat.start();
    int port = connector.getLocalPort();
    int loopbackPort = loopback == null ? -1 : loopback.getLocalPort();
    int tlsPort = tls == null ? -1 : tls.getLocalPort();
    return new Running() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public int loopbackPort() {
        if (loopbackPort < 0) {
          return Running.super.loopbackPort();
        }
        return loopbackPort;
      }

      @Override
      public int tlsPort() {
        if (tlsPort < 0) {
          return Running.super.tlsPort();
        }
        return tlsPort;
      }

      @Override
      public void close() throws Exception {
        try {
          tomcat.stop();
          tomcat.destroy();
        } finally {
          delete(base);
        }
      }
    };
  }

  /** TLS (JSSE) on 127.0.0.1 with the PKCS12 key store; ALPN chooses h2, else http/1.1. */
  private static Connector tlsConnector() {
    Connector tls = new Connector("HTTP/1.1");
    tls.setPort(0);
    tls.setProperty("address", "127.0.0.1");
    tls.setProperty("SSLEnabled", "true");
    tls.setScheme("https");
    tls.setSecure(true);
    SSLHostConfig host = new SSLHostConfig();
    SSLHostConfigCertificate certificate =
        new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.RSA);
    certificate.setCertificateKeystoreFile(TestCertificate.get().keyStorePath().toString());
    certificate.setCertificateKeystorePassword(TestCertificate.get().password());
    certificate.setCertificateKeystoreType("PKCS12");
    certificate.setCertificateKeyAlias(TestCertificate.ALIAS);
    host.addCertificate(certificate);
    tls.addSslHostConfig(host);
    tls.addUpgradeProtocol(http2());
    return tls;
  }

  @Override
  public String containerPackage() {
    return "org.apache.catalina.";
  }

  @Override
  public String toString() {
    return "Tomcat 11";
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Tomcat's HTTP/2 protocol with its write timeout at 3 s instead of 5: when a client drops the
   * connection while a servlet's write is blocked on it (the socket's buffers full), Tomcat at
   * times leaves that write waiting until the timeout rather than failing it when the connection
   * closes, and the row ends then; below the contract's 5 s for a dropped connection's rows.
   */
  private static Http2Protocol http2() {
    Http2Protocol http2 = new Http2Protocol();
    http2.setWriteTimeout(3000);
    return http2;
  }
}
