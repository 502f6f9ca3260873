package dev.inflight.activity.spring.boot.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Adds the diagnostics listener to the servlet container as a second connector bound to {@value
 * DiagnosticsPort#ADDRESS}, as Tomcat's or Jetty's factory allows. The factories' methods are
 * looked up by name, because their classes moved between Boot 3.5 and 4.0; Tomcat's and Jetty's own
 * classes are touched only when that container is the one being built.
 */
public final class ServletDiagnosticsConnector
    implements WebServerFactoryCustomizer<ConfigurableWebServerFactory> {

  private final DiagnosticsPort port;

  /**
   * Creates the customizer.
   *
   * @param port the listener's port, told the bound port once it listens
   */
  public ServletDiagnosticsConnector(DiagnosticsPort port) {
    this.port = port;
  }

  @Override
  public void customize(ConfigurableWebServerFactory factory) {
    // Boot 4: addAdditionalConnectors; Boot 3.5: addAdditionalTomcatConnectors
    Method tomcat = method(factory, "addAdditionalConnectors", "addAdditionalTomcatConnectors");
    if (tomcat != null) {
      Tomcat.add(factory, tomcat, port);
      return;
    }
    Method jetty = method(factory, "addServerCustomizers");
    if (jetty != null) {
      Jetty.add(factory, jetty, port);
      return;
    }
    throw new IllegalStateException(
        "inflight.activity.diagnostics.port is served by Tomcat and Jetty; "
            + factory.getClass().getName()
            + " cannot add it");
  }

  private static @org.jspecify.annotations.Nullable Method method(Object target, String... names) {
    for (String name : names) {
      for (Method m : target.getClass().getMethods()) {
        if (m.getName().equals(name)
            && m.getParameterCount() == 1
            && m.getParameterTypes()[0].isArray()) {
          return m;
        }
      }
    }
    return null;
  }

  private static void invoke(Method m, Object target, Object array) {
    try {
      m.invoke(target, array);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("could not add the diagnostics listener", e);
    }
  }

  /**
   * Tomcat: one more {@code org.apache.catalina.connector.Connector}, its HTTP/1.1 default
   * protocol, made by reflection (Tomcat's jar also holds the Servlet API, which the starter
   * compiles against from its own jar).
   */
  private static final class Tomcat {
    static void add(Object factory, Method method, DiagnosticsPort port) {
      try {
        Class<?> type = method.getParameterTypes()[0].getComponentType();
        Object connector = type.getConstructor().newInstance();
        type.getMethod("setPort", int.class).invoke(connector, port.requested());
        type.getMethod("setProperty", String.class, String.class)
            .invoke(connector, "address", DiagnosticsPort.ADDRESS);
        Method localPort = type.getMethod("getLocalPort");
        port.bound(
            () -> {
              try {
                return (Integer) localPort.invoke(connector);
              } catch (ReflectiveOperationException e) {
                return -1;
              }
            });
        Object array = java.lang.reflect.Array.newInstance(type, 1);
        java.lang.reflect.Array.set(array, 0, connector);
        invoke(method, factory, array);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("could not add the diagnostics connector to Tomcat", e);
      }
    }
  }

  /** Jetty: one more {@link ServerConnector}, added by a server customizer. */
  private static final class Jetty {
    static void add(Object factory, Method method, DiagnosticsPort port) {
      Class<?> customizer = method.getParameterTypes()[0].getComponentType();
      Object proxy =
          Proxy.newProxyInstance(
              customizer.getClassLoader(),
              new Class<?>[] {customizer},
              (self, m, args) -> {
                if (m.getName().equals("customize") && args != null && args.length == 1) {
                  Server server = (Server) args[0];
                  ServerConnector connector = new ServerConnector(server);
                  connector.setHost(DiagnosticsPort.ADDRESS);
                  connector.setPort(port.requested());
                  port.bound(connector::getLocalPort);
                  server.addConnector(connector);
                  return null;
                }
                if (m.getName().equals("toString")) {
                  return "inflight diagnostics connector";
                }
                if (m.getName().equals("hashCode")) {
                  return System.identityHashCode(self);
                }
                if (m.getName().equals("equals")) {
                  return args != null && self == args[0];
                }
                return null;
              });
      Object array = java.lang.reflect.Array.newInstance(customizer, 1);
      java.lang.reflect.Array.set(array, 0, proxy);
      invoke(method, factory, array);
    }
  }
}
