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
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Serves {@code /v1/diagnostics} and {@code /v1/diagnostics/activity} from a Jakarta REST
 * application, with the same JSON and the same access rule as every other adapter: it delegates to
 * {@link DiagnosticsEndpoint} (loopback only, forwarding headers mean remote, loopback {@code Host}
 * and {@code Origin}, GET and HEAD only, a generic 403 JSON body).
 *
 * <pre>{@code
 * resourceConfig.register(new DiagnosticsResource(
 *     ActivityTracker::global, DiagnosticsJson.create(directory), remoteAddress));
 * }</pre>
 *
 * <p>Jakarta REST has no portable remote address, so this class asks a {@link RemoteAddress} for
 * it; an unknown address is refused. On a servlet container use its subclass {@link
 * ServletDiagnosticsResource} instead, which needs no address source. Register an instance (a
 * singleton): it is stateless and thread-safe. Every method is declared, so that other methods get
 * the endpoint's 405 with its JSON body and headers rather than the runtime's own.
 */
@Path(DiagnosticsEndpoint.DIAGNOSTICS_PATH)
public sealed class DiagnosticsResource permits ServletDiagnosticsResource {

  private final DiagnosticsEndpoint endpoint;
  private final RemoteAddress remoteAddress;

  /**
   * Creates the resource.
   *
   * @param tracker supplies the tracker per request, e.g. {@code ActivityTracker::global}
   * @param json the renderer, with the host's backend descriptions
   * @param remoteAddress supplies the peer address of the request being served
   */
  public DiagnosticsResource(
      Supplier<ActivityTracker> tracker, DiagnosticsJson json, RemoteAddress remoteAddress) {
    this.endpoint = DiagnosticsEndpoint.create(tracker, json);
    this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
  }

  /**
   * The peer address of the request being served, on the thread that runs the resource method;
   * {@link ServletDiagnosticsResource} reads it from the servlet request instead.
   *
   * @return an IP address literal, or null if unknown (the request is then refused)
   */
  @Nullable String remoteAddress() {
    return remoteAddress.remoteAddress();
  }

  /**
   * GET /v1/diagnostics.
   *
   * @param headers the request headers
   * @return the response
   */
  @GET
  public Response get(@Context HttpHeaders headers) {
    return respond("GET", DiagnosticsEndpoint.DIAGNOSTICS_PATH, headers);
  }

  /**
   * HEAD /v1/diagnostics.
   *
   * @param headers the request headers
   * @return the response
   */
  @HEAD
  public Response head(@Context HttpHeaders headers) {
    return respond("HEAD", DiagnosticsEndpoint.DIAGNOSTICS_PATH, headers);
  }

  /**
   * POST /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @POST
  public Response post(@Context HttpHeaders headers) {
    return respond("POST", DiagnosticsEndpoint.DIAGNOSTICS_PATH, headers);
  }

  /**
   * PUT /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @PUT
  public Response put(@Context HttpHeaders headers) {
    return respond("PUT", DiagnosticsEndpoint.DIAGNOSTICS_PATH, headers);
  }

  /**
   * DELETE /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @DELETE
  public Response delete(@Context HttpHeaders headers) {
    return respond("DELETE", DiagnosticsEndpoint.DIAGNOSTICS_PATH, headers);
  }

  /**
   * PATCH /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @PATCH
  public Response patch(@Context HttpHeaders headers) {
    return respond("PATCH", DiagnosticsEndpoint.DIAGNOSTICS_PATH, headers);
  }

  /**
   * OPTIONS /v1/diagnostics (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @OPTIONS
  public Response options(@Context HttpHeaders headers) {
    return respond("OPTIONS", DiagnosticsEndpoint.DIAGNOSTICS_PATH, headers);
  }

  /**
   * GET /v1/diagnostics/activity.
   *
   * @param headers the request headers
   * @return the response
   */
  @GET
  @Path("activity")
  public Response getActivity(@Context HttpHeaders headers) {
    return respond("GET", DiagnosticsEndpoint.ACTIVITY_PATH, headers);
  }

  /**
   * HEAD /v1/diagnostics/activity.
   *
   * @param headers the request headers
   * @return the response
   */
  @HEAD
  @Path("activity")
  public Response headActivity(@Context HttpHeaders headers) {
    return respond("HEAD", DiagnosticsEndpoint.ACTIVITY_PATH, headers);
  }

  /**
   * POST /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @POST
  @Path("activity")
  public Response postActivity(@Context HttpHeaders headers) {
    return respond("POST", DiagnosticsEndpoint.ACTIVITY_PATH, headers);
  }

  /**
   * PUT /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @PUT
  @Path("activity")
  public Response putActivity(@Context HttpHeaders headers) {
    return respond("PUT", DiagnosticsEndpoint.ACTIVITY_PATH, headers);
  }

  /**
   * DELETE /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @DELETE
  @Path("activity")
  public Response deleteActivity(@Context HttpHeaders headers) {
    return respond("DELETE", DiagnosticsEndpoint.ACTIVITY_PATH, headers);
  }

  /**
   * PATCH /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @PATCH
  @Path("activity")
  public Response patchActivity(@Context HttpHeaders headers) {
    return respond("PATCH", DiagnosticsEndpoint.ACTIVITY_PATH, headers);
  }

  /**
   * OPTIONS /v1/diagnostics/activity (refused: 405).
   *
   * @param headers the request headers
   * @return the response
   */
  @OPTIONS
  @Path("activity")
  public Response optionsActivity(@Context HttpHeaders headers) {
    return respond("OPTIONS", DiagnosticsEndpoint.ACTIVITY_PATH, headers);
  }

  private Response respond(String method, String path, HttpHeaders headers) {
    return DiagnosticsResponses.respond(endpoint, method, path, remoteAddress(), headers);
  }
}
