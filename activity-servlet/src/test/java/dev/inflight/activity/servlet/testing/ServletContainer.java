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
  default Running start(List<FilterMount> filters, List<ServletMount> servlets) throws Exception {
    return start(Setup.LOOPBACK, filters, servlets);
  }

  /**
   * Starts the container as {@code setup} says: where it listens, whether it believes forwarding
   * headers, whether it has a second listener on 127.0.0.1.
   *
   * @param setup the listeners and the forwarding set-up
   * @param filters the filters, first one outermost
   * @param servlets the servlets
   * @return the running container
   * @throws Exception if it does not start
   */
  Running start(Setup setup, List<FilterMount> filters, List<ServletMount> servlets)
      throws Exception;

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
     * The port of the second listener, on 127.0.0.1, when {@link Setup#loopbackListener()} asked
     * for one.
     *
     * @return the port
     * @throws IllegalStateException if the container has no second listener
     */
    default int loopbackPort() {
      throw new IllegalStateException("started without a second listener");
    }

    /**
     * The port of the TLS listener, on 127.0.0.1, when {@link Setup#http2()} asked for one: {@code
     * h2} and {@code http/1.1} through ALPN, with {@code TestCertificate}'s key.
     *
     * @return the port
     * @throws IllegalStateException if the container has no TLS listener
     */
    default int tlsPort() {
      throw new IllegalStateException("started without HTTP/2");
    }

    /**
     * Stops the container; its filters' and servlets' {@code destroy()} run.
     *
     * @throws Exception if it does not stop cleanly
     */
    void close() throws Exception;
  }

  /**
   * Whether the container takes the client's address (and more) from forwarding headers, the way a
   * deployment behind a reverse proxy sets it up. Each container maps these to its own mechanism:
   *
   * <ul>
   *   <li>Jetty: a {@code ForwardedRequestCustomizer} on the main listener (it has no list of
   *       trusted proxies: it believes every peer); {@link #TRUST_ALL} also takes the proxy's
   *       address as the authority;
   *   <li>Tomcat: a {@code RemoteIpValve}, with its default trusted proxies (private and loopback
   *       ranges) for {@link #CONTAINER_DEFAULTS}; for {@link #TRUST_ALL} {@code
   *       internalProxies=".*"} and the host and port headers, changing the local name and port;
   *   <li>Undertow: {@code ProxyPeerAddressHandler} and {@code ForwardedHandler} around the
   *       deployment (they believe every peer), for {@link #TRUST_ALL} allowed to change the local
   *       address and port.
   * </ul>
   */
  enum Forwarding {
    /** Forwarding headers are plain headers. */
    NONE,
    /** The container's forwarding support, with its defaults. */
    CONTAINER_DEFAULTS,
    /** The container's forwarding support, believing every peer and rewriting all it can. */
    TRUST_ALL
  }

  /**
   * How a container listens.
   *
   * @param host the address the main listener binds, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
   * @param forwarding whether the main listener believes forwarding headers
   * @param loopbackListener whether to add a second listener, on 127.0.0.1 (without forwarding
   *     support), as a deployment serving its diagnostics on a port of their own does
   * @param http2 whether the main listener also speaks HTTP/2 in clear text ({@code h2c}, with
   *     prior knowledge) and a TLS listener on 127.0.0.1 ({@link Running#tlsPort()}) offers {@code
   *     h2} and {@code http/1.1} through ALPN, with {@code TestCertificate}'s key
   */
  record Setup(String host, Forwarding forwarding, boolean loopbackListener, boolean http2) {

    /** One listener on 127.0.0.1, no forwarding support: what {@link #start(List, List)} uses. */
    public static final Setup LOOPBACK = new Setup("127.0.0.1", Forwarding.NONE, false);

    /**
     * A set-up without HTTP/2.
     *
     * @param host the address the main listener binds
     * @param forwarding whether the main listener believes forwarding headers
     * @param loopbackListener whether to add a second listener on 127.0.0.1
     */
    public Setup(String host, Forwarding forwarding, boolean loopbackListener) {
      this(host, forwarding, loopbackListener, false);
    }

    /**
     * This set-up with a second listener on 127.0.0.1.
     *
     * @return a new set-up
     */
    public Setup withLoopbackListener() {
      return new Setup(host, forwarding, true, http2);
    }

    /**
     * This set-up with HTTP/2: {@code h2c} (prior knowledge) beside HTTP/1.1 on the main listener,
     * and a TLS listener on 127.0.0.1 choosing {@code h2} through ALPN.
     *
     * @return a new set-up
     */
    public Setup withHttp2() {
      return new Setup(host, forwarding, loopbackListener, true);
    }
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
