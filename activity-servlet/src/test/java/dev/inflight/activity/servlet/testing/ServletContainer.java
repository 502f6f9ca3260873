package dev.inflight.activity.servlet.testing;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts an embedded Servlet container on 127.0.0.1, on a free port, with the given filters and
 * servlets, everything async-supported. One implementation per container family: {@link
 * JettyContainer} (Jetty 12, ee10), {@link TomcatContainer} (Tomcat 11), {@link UndertowContainer}
 * (Undertow 2.3). Each needs its own JVM, whose class path holds only its own Servlet API classes.
 *
 * <pre>{@code
 * ServletContainer.Running server = new JettyContainer().start(
 *     List.of(FilterMount.of(filter, "/*")), List.of(new ServletMount(servlet, "/*")));
 * URI uri = URI.create("http://127.0.0.1:" + server.port() + "/");
 * // ...
 * server.close();
 * }</pre>
 */
public interface ServletContainer {

  /**
   * Starts the container.
   *
   * @param filters the filters, first one outermost
   * @param servlets the servlets
   * @return the running container
   * @throws Exception if it does not start
   */
  Running start(List<FilterMount> filters, List<ServletMount> servlets) throws Exception;

  /**
   * The package prefix of the container's own request and response classes.
   *
   * @return e.g. {@code org.eclipse.jetty.}
   */
  String containerPackage();

  /** A started container. */
  interface Running {
    /**
     * The port it listens on, on 127.0.0.1.
     *
     * @return the port
     */
    int port();

    /**
     * Stops the container; its filters' and servlets' {@code destroy()} run.
     *
     * @throws Exception if it does not stop cleanly
     */
    void close() throws Exception;
  }

  /**
   * A filter to mount.
   *
   * @param filter the filter instance
   * @param pattern its URL pattern
   * @param dispatchers the dispatcher types it sees
   * @param params its init-params
   */
  record FilterMount(
      Filter filter, String pattern, Set<DispatcherType> dispatchers, Map<String, String> params) {

    /**
     * A filter on the {@code REQUEST} dispatcher, without init-params.
     *
     * @param filter the filter
     * @param pattern the URL pattern
     * @return the mount
     */
    public static FilterMount of(Filter filter, String pattern) {
      return new FilterMount(filter, pattern, EnumSet.of(DispatcherType.REQUEST), Map.of());
    }
  }

  /**
   * A servlet to mount.
   *
   * @param servlet the servlet instance
   * @param pattern its URL pattern
   * @param params its init-params
   */
  record ServletMount(Servlet servlet, String pattern, Map<String, String> params) {
    /**
     * A servlet without init-params.
     *
     * @param servlet the servlet
     * @param pattern the URL pattern
     */
    public ServletMount(Servlet servlet, String pattern) {
      this(servlet, pattern, Map.of());
    }
  }
}
