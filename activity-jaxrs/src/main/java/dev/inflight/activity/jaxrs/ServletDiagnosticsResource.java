package dev.inflight.activity.jaxrs;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.jaxrs.internal.DiagnosticsResponses;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsJson;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.function.Supplier;
import jakarta.servlet.http.HttpServletRequest;

/**
 * {@link DiagnosticsResource} for applications on a servlet container (Jersey's {@code
 * ServletContainer}, RESTEasy's servlet dispatchers, Undertow, ...): the remote address is
 * {@code HttpServletRequest.getRemoteAddr()}, injected with {@code @Context} into each
 * method, which both implementations support on servlet containers. Same JSON, same access
 * rule. Needs the servlet API at run time, which a servlet container always has.
 *
 * <pre>{@code
 * resourceConfig.register(new ServletDiagnosticsResource(ActivityTracker::global, DiagnosticsJson.create()));
 * }</pre>
 *
 * <p>Register an instance (a singleton): it is stateless and thread-safe.
 */
@Path(DiagnosticsEndpoint.DIAGNOSTICS_PATH)
public final class ServletDiagnosticsResource {

  private final DiagnosticsEndpoint endpoint;

  /**
   * Creates the resource.
   *
   * @param tracker supplies the tracker per request, e.g. {@code ActivityTracker::global}
   * @param json the renderer, with the host's backend descriptions
   */
  public ServletDiagnosticsResource(Supplier<ActivityTracker> tracker, DiagnosticsJson json) {
    this.endpoint = DiagnosticsEndpoint.create(tracker, json);
  }

  /**
   * GET /v1/diagnostics.
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @GET
  public Response get(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("GET", DiagnosticsEndpoint.DIAGNOSTICS_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * HEAD /v1/diagnostics.
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @HEAD
  public Response head(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("HEAD", DiagnosticsEndpoint.DIAGNOSTICS_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * POST /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @POST
  public Response post(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("POST", DiagnosticsEndpoint.DIAGNOSTICS_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * PUT /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @PUT
  public Response put(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("PUT", DiagnosticsEndpoint.DIAGNOSTICS_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * DELETE /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @DELETE
  public Response delete(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("DELETE", DiagnosticsEndpoint.DIAGNOSTICS_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * PATCH /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @PATCH
  public Response patch(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("PATCH", DiagnosticsEndpoint.DIAGNOSTICS_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * OPTIONS /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @OPTIONS
  public Response options(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("OPTIONS", DiagnosticsEndpoint.DIAGNOSTICS_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * GET /v1/diagnostics/activity.
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @GET
  @Path("activity")
  public Response getActivity(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("GET", DiagnosticsEndpoint.ACTIVITY_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * HEAD /v1/diagnostics/activity.
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @HEAD
  @Path("activity")
  public Response headActivity(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("HEAD", DiagnosticsEndpoint.ACTIVITY_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * POST /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @POST
  @Path("activity")
  public Response postActivity(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("POST", DiagnosticsEndpoint.ACTIVITY_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * PUT /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @PUT
  @Path("activity")
  public Response putActivity(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("PUT", DiagnosticsEndpoint.ACTIVITY_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * DELETE /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @DELETE
  @Path("activity")
  public Response deleteActivity(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("DELETE", DiagnosticsEndpoint.ACTIVITY_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * PATCH /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @PATCH
  @Path("activity")
  public Response patchActivity(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("PATCH", DiagnosticsEndpoint.ACTIVITY_PATH, request.getRemoteAddr(), headers);
  }

  /**
   * OPTIONS /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @param request the servlet request, for its remote address
   * @return the response
   */
  @OPTIONS
  @Path("activity")
  public Response optionsActivity(@Context HttpHeaders headers, @Context HttpServletRequest request) {
    return respond("OPTIONS", DiagnosticsEndpoint.ACTIVITY_PATH, request.getRemoteAddr(), headers);
  }

  private Response respond(String method, String path, String remote, HttpHeaders headers) {
    return DiagnosticsResponses.respond(endpoint, method, path, remote, headers);
  }
}
