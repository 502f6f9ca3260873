package dev.inflight.activity.jaxrs;

import jakarta.ws.rs.core.Application;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/** One Jakarta REST implementation, mounted as a servlet on embedded Jetty. */
interface JaxrsRuntime {

  /**
   * Mounts the application at {@code /*} of the context, with async support.
   *
   * @param context the servlet context to mount into
   * @param app the application (singletons: resources, features, providers)
   */
  void mount(ServletContextHandler context, Application app);
}
