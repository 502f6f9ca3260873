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

  private final @Nullable Supplier<ActivityTracker> tracker;
  private final @Nullable BackendDirectory backends;
  private final @Nullable SessionIdDisplay display;
  private final @Nullable DiagnosticsPolicy policy;
  private transient volatile @Nullable DiagnosticsEndpoint endpoint;

  /** A servlet configured from its servlet context and init-params; see the class comment. */
  public DiagnosticsServlet() {
    this.tracker = null;
    this.backends = null;
    this.display = null;
    this.policy = null;
  }

  private DiagnosticsServlet(
      @Nullable Supplier<ActivityTracker> tracker,
      @Nullable BackendDirectory backends,
      @Nullable SessionIdDisplay display,
      @Nullable DiagnosticsPolicy policy) {
    this.tracker = tracker;
    this.backends = backends;
    this.display = display;
    this.policy = policy;
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

  /** Answers every method: the endpoint replies 405 to anything but GET and HEAD. */
  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
    DiagnosticsEndpoint e = Objects.requireNonNull(endpoint, "init() was not called");
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
    private Builder() {}

    /**
     * Builds the servlet.
     *
     * @return a new servlet
     */
    @Override
    public DiagnosticsServlet build() {
      return new DiagnosticsServlet(
          givenTracker(), givenBackends(), givenSessionIdDisplay(), givenPolicy());
    }
  }
}
