package dev.inflight.activity.jaxrs;

import jakarta.ws.rs.core.Application;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.jboss.resteasy.core.ResteasyDeploymentImpl;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;
import org.jboss.resteasy.spi.Dispatcher;
import org.jboss.resteasy.spi.Registry;
import org.jboss.resteasy.spi.ResteasyDeployment;
import org.jboss.resteasy.spi.ResteasyProviderFactory;

/** RESTEasy's servlet 3 dispatcher, with a deployment built from the application. */
final class ResteasyRuntime implements JaxrsRuntime {
  @Override
  public void mount(ServletContextHandler context, Application app) {
    ResteasyDeployment deployment = new ResteasyDeploymentImpl();
    deployment.setApplication(app);
    deployment.start();
    context.setAttribute(ResteasyDeployment.class.getName(), deployment);
    context.setAttribute(ResteasyProviderFactory.class.getName(), deployment.getProviderFactory());
    context.setAttribute(Dispatcher.class.getName(), deployment.getDispatcher());
    context.setAttribute(Registry.class.getName(), deployment.getRegistry());
    ServletHolder holder = new ServletHolder(new HttpServlet30Dispatcher());
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
  }
}
