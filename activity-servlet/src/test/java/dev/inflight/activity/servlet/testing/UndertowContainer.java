package dev.inflight.activity.servlet.testing;

import dev.inflight.activity.testing.TestCertificate;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.ForwardedHandler;
import io.undertow.server.handlers.ProxyPeerAddressHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.FilterInfo;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Embedded Undertow 2.3 (Servlet 6.0). */
public final class UndertowContainer implements ServletContainer {

  private static final AtomicInteger DEPLOYMENTS = new AtomicInteger();

  @Override
  public Running start(Setup setup, List<FilterMount> filters, List<ServletMount> servlets)
      throws Exception {
    DeploymentInfo info =
        Servlets.deployment()
            .setClassLoader(UndertowContainer.class.getClassLoader())
            .setContextPath("/")
            .setDeploymentName("inflight-" + DEPLOYMENTS.incrementAndGet());
    int n = 0;
    for (FilterMount f : filters) {
      String name = "filter-" + n++;
      Filter filter = f.filter();
      FilterInfo def =
          new FilterInfo(name, filter.getClass(), new ImmediateInstanceFactory<>(filter));
      def.setAsyncSupported(true);
      f.params().forEach(def::addInitParam);
      info.addFilter(def);
      for (DispatcherType d : f.dispatchers()) {
        info.addFilterUrlMapping(name, f.pattern(), d);
      }
    }
    for (ServletMount s : servlets) {
      Servlet servlet = s.servlet();
      ServletInfo def =
          new ServletInfo(
              "servlet-" + n++, servlet.getClass(), new ImmediateInstanceFactory<>(servlet));
      def.setAsyncSupported(true);
      def.addMapping(s.pattern());
      s.params().forEach(def::addInitParam);
      info.addServlet(def);
    }
    DeploymentManager manager = Servlets.newContainer().addDeployment(info);
    manager.deploy();
    HttpHandler deployment = manager.start();
    Undertow.Builder builder = Undertow.builder();
    if (setup.http2()) {
      // h2c (prior knowledge and the HTTP/1.1 upgrade) on the HTTP listener, h2 through ALPN on
      // the HTTPS one; every blocking servlet stream holds a worker thread, and the default pool
      // (8 per core) would queue the streams of the HTTP/2 suites behind each other
      builder.setServerOption(UndertowOptions.ENABLE_HTTP2, true).setWorkerThreads(64);
    }
    if (setup.forwarding() == Forwarding.NONE) {
      builder.addHttpListener(0, setup.host(), deployment);
    } else {
      // what proxy-address-forwarding="true" does on a WildFly listener, plus RFC 7239
      boolean changeLocal = setup.forwarding() == Forwarding.TRUST_ALL;
      builder.addHttpListener(
          0,
          setup.host(),
          new ProxyPeerAddressHandler(new ForwardedHandler(deployment, changeLocal), changeLocal));
    }
    if (setup.loopbackListener()) {
      builder.addHttpListener(0, "127.0.0.1", deployment);
    }
    if (setup.http2()) {
      builder.addHttpsListener(0, "127.0.0.1", TestCertificate.get().serverContext(), deployment);
    }
    Undertow server = builder.build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    int loopbackPort =
        setup.loopbackListener()
            ? ((InetSocketAddress) server.getListenerInfo().get(1).getAddress()).getPort()
            : -1;
    int tlsPort =
        setup.http2()
            ? ((InetSocketAddress)
                    server.getListenerInfo().get(setup.loopbackListener() ? 2 : 1).getAddress())
                .getPort()
            : -1;
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
          server.stop();
        } finally {
          manager.stop();
          manager.undeploy();
        }
      }
    };
  }

  @Override
  public String containerPackage() {
    return "io.undertow.";
  }

  @Override
  public String toString() {
    return "Undertow 2.3";
  }
}
