package dev.inflight.activity.json;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.DiagnosticsAccess;
import dev.inflight.activity.GlobalSnapshot;
import dev.inflight.activity.json.internal.LivePage;
import dev.inflight.activity.json.internal.Renderer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP handling of {@code GET /v1/diagnostics}, {@code GET /v1/diagnostics/activity} and the
 * live page {@code GET /v1/diagnostics/ui} (with its script and style sheet under {@code
 * /v1/diagnostics/ui/}), written once for every adapter: an adapter passes the method, the path,
 * the remote address and a header lookup, and copies the {@link DiagnosticsResponse} back.
 *
 * <ol>
 *   <li>Access is decided by the endpoint's {@link DiagnosticsPolicy}, by default {@link
 *       DiagnosticsAccess}'s rule (loopback only, no forwarding headers, loopback Host and Origin);
 *       a refusal is {@code 403} with a generic JSON body. Session ids are shown as the policy
 *       says.
 *   <li>An unknown path is {@code 404}; a method other than GET or HEAD is {@code 405} with {@code
 *       Allow: GET, HEAD}.
 *   <li>Every response is {@code application/json; charset=utf-8} with {@code Cache-Control:
 *       no-store} and {@code X-Content-Type-Options: nosniff}, and no CORS headers.
 *   <li>A failure while rendering is a {@code 500} with a generic body: no stack trace leaks.
 *   <li>The live page and its files are served under the same rule and headers, with their own
 *       content types, plus a strict {@code Content-Security-Policy} (no inline script or style,
 *       nothing from another origin), {@code X-Frame-Options: DENY} and {@code Referrer-Policy:
 *       no-referrer}. The page is never cached; the files it loads are named by a hash of their
 *       content and cached for long. {@code /v1/diagnostics/ui/} redirects to the page, so that the
 *       page's relative links resolve under whatever prefix the endpoint is mounted.
 * </ol>
 *
 * <pre>{@code
 * DiagnosticsEndpoint endpoint = DiagnosticsEndpoint.create(ActivityTracker::global, DiagnosticsJson.create());
 * DiagnosticsResponse r = endpoint.handle("GET", "/v1/diagnostics", req.getRemoteAddr(), req::getHeader);
 * }</pre>
 *
 * <p>Instances are thread-safe.
 */
public final class DiagnosticsEndpoint {
  /** The full diagnostics document. */
  public static final String DIAGNOSTICS_PATH = "/v1/diagnostics";

  /** The lightweight activity document. */
  public static final String ACTIVITY_PATH = "/v1/diagnostics/activity";

  /** The live page; its files are served under this path plus {@code /}. */
  public static final String UI_PATH = "/v1/diagnostics/ui";

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.json");
  private static final Map<String, String> JSON_HEADERS =
      Map.of(
          "Content-Type", "application/json; charset=utf-8",
          "Cache-Control", "no-store",
          "X-Content-Type-Options", "nosniff");

  private final Supplier<ActivityTracker> tracker;
  private final DiagnosticsJson json;
  private final DiagnosticsPolicy policy;

  private DiagnosticsEndpoint(
      Supplier<ActivityTracker> tracker, DiagnosticsJson json, DiagnosticsPolicy policy) {
    this.tracker = tracker;
    this.json = json.withSessionIdDisplay(policy.sessionIds());
    this.policy = policy;
  }

  /**
   * Creates the endpoint.
   *
   * @param tracker supplies the tracker per request, e.g. {@code ActivityTracker::global}
   * @param json the renderer, with the host's backend descriptions
   * @return the endpoint
   */
  public static DiagnosticsEndpoint create(
      Supplier<ActivityTracker> tracker, DiagnosticsJson json) {
    Objects.requireNonNull(json, "json");
    return create(
        tracker, json, DiagnosticsPolicy.loopbackOnly().withSessionIds(json.sessionIdDisplay()));
  }

  /**
   * Creates the endpoint with a policy: its access rule decides every request, and session ids are
   * shown as it says (whatever {@code json} was made with).
   *
   * @param tracker supplies the tracker per request, e.g. {@code ActivityTracker::global}
   * @param json the renderer, with the host's backend descriptions
   * @param policy who may read, and how session ids appear
   * @return the endpoint
   */
  public static DiagnosticsEndpoint create(
      Supplier<ActivityTracker> tracker, DiagnosticsJson json, DiagnosticsPolicy policy) {
    return new DiagnosticsEndpoint(
        Objects.requireNonNull(tracker, "tracker"),
        Objects.requireNonNull(json, "json"),
        Objects.requireNonNull(policy, "policy"));
  }

  /**
   * The policy this endpoint applies.
   *
   * @return the policy
   */
  public DiagnosticsPolicy policy() {
    return policy;
  }

  /**
   * Handles one request whose local address is unknown: only the remote address is checked.
   *
   * @param method the HTTP method
   * @param path {@value #DIAGNOSTICS_PATH} or {@value #ACTIVITY_PATH} (a trailing slash is
   *     ignored), {@value #UI_PATH} or one of the page's files under it; anything else is 404
   * @param remoteAddress the peer address the container reports, or null if unknown (refused)
   * @param headers the request headers
   * @return the response to send
   */
  public DiagnosticsResponse handle(
      String method,
      String path,
      @Nullable String remoteAddress,
      DiagnosticsAccess.Headers headers) {
    return handle(method, path, remoteAddress, null, headers);
  }

  /**
   * Handles one request.
   *
   * @param method the HTTP method
   * @param path {@value #DIAGNOSTICS_PATH} or {@value #ACTIVITY_PATH} (a trailing slash is
   *     ignored), {@value #UI_PATH} or one of the page's files under it; anything else is 404
   * @param remoteAddress the peer address the container reports, or null if unknown (refused)
   * @param localAddress the address the connection arrived on (e.g. {@code getLocalAddr()}), or
   *     null if unknown
   * @param headers the request headers
   * @return the response to send
   */
  public DiagnosticsResponse handle(
      String method,
      String path,
      @Nullable String remoteAddress,
      @Nullable String localAddress,
      DiagnosticsAccess.Headers headers) {
    if (!policy.allows(remoteAddress, localAddress, headers)) {
      return error(403, "forbidden", "diagnostics are served to local clients only");
    }
    String p =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (p.equals(UI_PATH) || p.startsWith(UI_PATH + "/")) {
      return page(method, path, p.substring(UI_PATH.length()));
    }
    boolean full = DIAGNOSTICS_PATH.equals(p);
    if (!full && !ACTIVITY_PATH.equals(p)) {
      return error(404, "not_found", "no such diagnostics resource");
    }
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      Map<String, String> h = new LinkedHashMap<>(JSON_HEADERS);
      h.put("Allow", "GET, HEAD");
      return new DiagnosticsResponse(
          405, h, Renderer.error("method_not_allowed", "use GET or HEAD"));
    }
    try {
      GlobalSnapshot snapshot = tracker.get().getGlobalSnapshot();
      byte[] body = full ? json.diagnostics(snapshot) : json.activity(snapshot);
      return new DiagnosticsResponse(200, JSON_HEADERS, body);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "Rendering diagnostics failed", e);
      return error(500, "internal_error", "diagnostics are unavailable");
    }
  }

  private static DiagnosticsResponse page(String method, String path, String rest) {
    LivePage.Asset asset = LivePage.find(rest.isEmpty() ? "" : rest.substring(1));
    if (asset == null) {
      return error(404, "not_found", "no such diagnostics resource");
    }
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      Map<String, String> h = new LinkedHashMap<>(JSON_HEADERS);
      h.put("Allow", "GET, HEAD");
      return new DiagnosticsResponse(
          405, h, Renderer.error("method_not_allowed", "use GET or HEAD"));
    }
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Security-Policy", LivePage.CONTENT_SECURITY_POLICY);
    h.put("X-Content-Type-Options", "nosniff");
    h.put("X-Frame-Options", "DENY");
    h.put("Referrer-Policy", "no-referrer");
    if (path.endsWith(UI_PATH + "/")) {
      // relative to .../ui/, "../ui" is the page, whatever prefix the endpoint is mounted under
      h.put("Location", "../ui");
      h.put("Cache-Control", "no-store");
      return new DiagnosticsResponse(308, h, new byte[0]);
    }
    h.put("Content-Type", asset.contentType());
    h.put("Cache-Control", asset.cacheControl());
    return new DiagnosticsResponse(200, h, asset.body().clone());
  }

  private static DiagnosticsResponse error(int status, String code, String detail) {
    return new DiagnosticsResponse(status, JSON_HEADERS, Renderer.error(code, detail));
  }
}
