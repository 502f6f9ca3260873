package dev.inflight.activity.jaxrs;

import jakarta.ws.rs.core.Application;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

/** Jersey's ServletContainer. */
final class JerseyRuntime implements JaxrsRuntime {
  @Override
  public void mount(ServletContextHandler context, Application app) {
    ResourceConfig config =
        ResourceConfig.forApplication(app)
            .property(ServerProperties.WADL_FEATURE_DISABLE, true)
            // bare error statuses are sent by Jersey, not as the servlet container's error page
            .property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
    ServletHolder holder = new ServletHolder(new ServletContainer(config));
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
  }
}
