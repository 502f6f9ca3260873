package dev.inflight.activity.servlet;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.BackendDescription;
import dev.inflight.activity.json.BackendDirectory;
import dev.inflight.activity.json.DiagnosticsBuilder;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.DiagnosticsPolicy;
import dev.inflight.activity.json.DiagnosticsResponse;
import dev.inflight.activity.json.SessionIdDisplay;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Serves {@code GET /v1/diagnostics}, {@code GET /v1/diagnostics/activity} and the live page {@code
 * GET /v1/diagnostics/ui} (with its files under {@code /v1/diagnostics/ui/}) by delegating to the
 * shared {@link DiagnosticsEndpoint}: loopback clients only (no forwarding headers, a loopback
 * {@code Host}), GET and HEAD only, {@code Cache-Control: no-store} on the documents and the page.
 *
 * <p>Map it to {@code /v1/diagnostics/*}, which covers the page and its files (or to exact paths:
 * the two documents, plus {@code /v1/diagnostics/ui} and {@code /v1/diagnostics/ui/*} for the page;
 * or under a prefix such as {@code /admin/*}):
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(DiagnosticsServlet.builder()
 *     .tracker(tracker).backends(backends).build()), "/v1/diagnostics/*");
 * }</pre>
 *
 * <p>Mounted by class name (as in {@code web.xml}) it reads the tracker that {@link ActivityFilter}
 * published in the servlet context, or else {@link ActivityTracker#global()}; the backend
 * descriptions from the context attribute {@link #BACKENDS_ATTRIBUTE}, if the application set one;
 * and the init-param {@value #PARAM_SESSION_ID_DISPLAY} ({@code full}, {@code truncated}, {@code
 * hashed} or {@code hidden}; default {@code full}). Access follows the {@link DiagnosticsPolicy}
 * given to the builder, by default {@link DiagnosticsPolicy#loopbackOnly()}.
 */
public final class DiagnosticsServlet extends HttpServlet {

  /**
   * Init-param choosing how session ids are shown: {@code full}, {@code truncated}, {@code hashed}
   * or {@code hidden}.
   */
  public static final String PARAM_SESSION_ID_DISPLAY = "session_id_display";

  /** Servlet context attribute where an application may put its {@link BackendDirectory}. */
  public static final String BACKENDS_ATTRIBUTE = "dev.inflight.activity.json.BackendDirectory";

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.servlet");

  private final @Nullable Supplier<ActivityTracker> tracker;
  private final @Nullable BackendDirectory backends;
  private final @Nullable SessionIdDisplay display;
  private final @Nullable DiagnosticsPolicy policy;
  private final @Nullable IntSupplier onlyPort;
  private transient volatile @Nullable DiagnosticsEndpoint endpoint;

  /** A servlet configured from its servlet context and init-params; see the class comment. */
  public DiagnosticsServlet() {
    this.tracker = null;
    this.backends = null;
    this.display = null;
    this.policy = null;
    this.onlyPort = null;
  }

  private DiagnosticsServlet(
      @Nullable Supplier<ActivityTracker> tracker,
      @Nullable BackendDirectory backends,
      @Nullable SessionIdDisplay display,
      @Nullable DiagnosticsPolicy policy,
      @Nullable IntSupplier onlyPort) {
    this.tracker = tracker;
    this.backends = backends;
    this.display = display;
    this.policy = policy;
    this.onlyPort = onlyPort;
  }

  /**
   * A builder, for programmatic mounting; what it leaves unset is read as for {@code web.xml}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void init() throws ServletException {
    ServletContext context = getServletContext();
    Supplier<ActivityTracker> t = tracker != null ? tracker : () -> contextTracker(context);
    BackendDirectory b = backends != null ? backends : () -> contextBackends(context);
    DiagnosticsPolicy p = policy != null ? policy : DiagnosticsPolicy.loopbackOnly();
    SessionIdDisplay d = display;
    if (d == null && policy == null) {
      d = displayParam();
    }
    if (d != null) {
      p = p.withSessionIds(d);
    }
    endpoint = DiagnosticsEndpoint.create(t, DiagnosticsJson.create(b, p.sessionIds()), p);
  }

  /**
   * Answers every method: the endpoint replies 405 to anything but GET and HEAD. With {@link
   * Builder#onlyOnPort}, a request that arrived on another port gets the container's own 404.
   */
  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
    DiagnosticsEndpoint e = Objects.requireNonNull(endpoint, "init() was not called");
    IntSupplier only = onlyPort;
    if (only != null && !onPort(req, only)) {
      res.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    DiagnosticsResponse r =
        e.handle(
            req.getMethod(), path(req), req.getRemoteAddr(), req.getLocalAddr(), req::getHeader);
    res.setStatus(r.status());
    r.headers().forEach(res::setHeader);
    res.setContentLength(r.body().length);
    if (!"HEAD".equals(req.getMethod())) {
      res.getOutputStream().write(r.body());
    }
  }

  /**
   * Whether the request arrived on the diagnostics port. A request carrying a forwarding header
   * never counts as arrived there: a container that believes such headers may report a local port
   * taken from them ({@code X-Forwarded-Port} with Tomcat's {@code RemoteIpValve} set to change the
   * local port), and the diagnostics listener has no proxy in front of it.
   */
  private static boolean onPort(HttpServletRequest req, IntSupplier port) {
    int wanted;
    try {
      wanted = port.getAsInt();
    } catch (RuntimeException ex) {
      LOG.log(System.Logger.Level.WARNING, "The diagnostics port is unknown; not served", ex);
      return false;
    }
    return wanted > 0 && req.getLocalPort() == wanted && !forwarded(req);
  }

  private static boolean forwarded(HttpServletRequest req) {
    return req.getHeader("Forwarded") != null
        || req.getHeader("X-Forwarded-For") != null
        || req.getHeader("X-Forwarded-Host") != null
        || req.getHeader("X-Forwarded-Port") != null
        || req.getHeader("X-Real-IP") != null;
  }

  /** The path within the context, or within the prefix the servlet is mapped under. */
  private static String path(HttpServletRequest req) {
    String info = req.getPathInfo();
    String full = req.getServletPath() + (info == null ? "" : info);
    return full.startsWith(DiagnosticsEndpoint.DIAGNOSTICS_PATH) || info == null ? full : info;
  }

  private SessionIdDisplay displayParam() throws ServletException {
    String value = getInitParameter(PARAM_SESSION_ID_DISPLAY);
    try {
      return value == null
          ? SessionIdDisplay.FULL
          : SessionIdDisplay.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException ex) {
      throw new ServletException(
          PARAM_SESSION_ID_DISPLAY
              + "='"
              + value
              + "' is invalid, expected full, truncated, hashed or hidden",
          ex);
    }
  }

  private static ActivityTracker contextTracker(ServletContext context) {
    Object t = context.getAttribute(ActivityFilter.TRACKER_ATTRIBUTE);
    return t instanceof ActivityTracker ? (ActivityTracker) t : ActivityTracker.global();
  }

  private static List<BackendDescription> contextBackends(ServletContext context) {
    Object b = context.getAttribute(BACKENDS_ATTRIBUTE);
    return b instanceof BackendDirectory ? ((BackendDirectory) b).backends() : List.of();
  }

  /**
   * Builds a {@link DiagnosticsServlet}; see {@link DiagnosticsBuilder} for the options. Values set
   * here win over the servlet context and init-params: without a tracker, the one {@link
   * ActivityFilter} published in the servlet context, or else {@link ActivityTracker#global()};
   * without backends, the context attribute {@link DiagnosticsServlet#BACKENDS_ATTRIBUTE}; without
   * a display or a policy, the init-param {@value DiagnosticsServlet#PARAM_SESSION_ID_DISPLAY}.
   */
  public static final class Builder extends DiagnosticsBuilder<Builder, DiagnosticsServlet> {
    private @Nullable IntSupplier onlyPort;

    private Builder() {}

    /**
     * Serves the diagnostics only to requests that arrived on this local port, the port of a
     * listener of their own (bound to 127.0.0.1); on every other port the servlet answers the
     * container's own {@code 404}, as if it were not mounted. Requests on that port still obey the
     * {@link DiagnosticsPolicy}. A request carrying a forwarding header ({@code Forwarded}, {@code
     * X-Forwarded-For}, {@code X-Forwarded-Host}, {@code X-Forwarded-Port}, {@code X-Real-IP}) is
     * never taken as arrived on it, whatever port the container reports.
     *
     * <pre>{@code
     * ServerConnector diagnostics = new ServerConnector(server);
     * diagnostics.setHost("127.0.0.1");
     * diagnostics.setPort(9901);
     * server.addConnector(diagnostics);
     * DiagnosticsServlet servlet = DiagnosticsServlet.builder()
     *     .tracker(tracker).onlyOnPort(9901).build();
     * }</pre>
     *
     * @param port the diagnostics listener's port, 1 to 65535
     * @return this builder
     * @throws IllegalArgumentException if the port is out of range
     */
    public Builder onlyOnPort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
      }
      return onlyOnPort(() -> port);
    }

    /**
     * Like {@link #onlyOnPort(int)}, for a listener whose port is known only once it is bound (port
     * 0): the supplier is asked on every request, e.g. {@code diagnostics::getLocalPort} of a Jetty
     * {@code ServerConnector}. Until it returns a port (a value below 1, or an exception), every
     * request gets {@code 404}.
     *
     * @param port supplies the diagnostics listener's port
     * @return this builder
     */
    public Builder onlyOnPort(IntSupplier port) {
      this.onlyPort = Objects.requireNonNull(port, "port");
      return this;
    }

    /**
     * Builds the servlet.
     *
     * @return a new servlet
     */
    @Override
    public DiagnosticsServlet build() {
      return new DiagnosticsServlet(
          givenTracker(), givenBackends(), givenSessionIdDisplay(), givenPolicy(), onlyPort);
    }
  }
}
