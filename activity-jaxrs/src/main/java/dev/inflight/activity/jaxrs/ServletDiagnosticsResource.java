package dev.inflight.activity.jaxrs;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@link DiagnosticsResource} for applications on a servlet container (Jersey's {@code
 * ServletContainer}, RESTEasy's servlet dispatchers, Undertow, ...): the remote address is {@code
 * HttpServletRequest.getRemoteAddr()}. Same JSON, same access rule. Needs the servlet API at run
 * time, which a servlet container always has.
 *
 * <pre>{@code
 * resourceConfig.register(new ServletDiagnosticsResource(ActivityTracker::global, DiagnosticsJson.create()));
 * }</pre>
 *
 * <p>Register an instance (a singleton): it is thread-safe. The runtime injects a proxy to the
 * current {@code HttpServletRequest} into it (a {@code @Context} field, which both Jersey and
 * RESTEasy support on singletons); on the module path that needs the package opened to the runtime,
 * which this module's {@code module-info} does.
 */
@Path(DiagnosticsEndpoint.DIAGNOSTICS_PATH)
public final class ServletDiagnosticsResource extends DiagnosticsResource {

  @Context private @Nullable HttpServletRequest request;

  /**
   * Creates the resource.
   *
   * @param tracker supplies the tracker per request, e.g. {@code ActivityTracker::global}
   * @param json the renderer, with the host's backend descriptions
   */
  public ServletDiagnosticsResource(Supplier<ActivityTracker> tracker, DiagnosticsJson json) {
    super(tracker, json, RemoteAddress.unknown());
  }

  @Override
  @Nullable String remoteAddress() {
    HttpServletRequest current = request;
    return current == null ? null : current.getRemoteAddr();
  }
}
