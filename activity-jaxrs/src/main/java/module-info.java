/**
 * inflight Jakarta REST adapter: a {@code Feature} that counts the bytes each request sends to its
 * client, a client feature that counts the bytes read from a backend, and the diagnostics filters.
 * Compiled against Jakarta REST 3.1; the servlet API is needed only by {@link
 * dev.inflight.activity.jaxrs.ServletDiagnosticsFilter}.
 */
module dev.inflight.activity.jaxrs {
  requires transitive dev.inflight.activity;
  requires transitive dev.inflight.activity.json;
  requires transitive jakarta.ws.rs;
  requires static transitive jakarta.servlet;
  requires static org.jspecify;

  exports dev.inflight.activity.jaxrs;

  // the runtime injects the current HttpServletRequest into ServletDiagnosticsFilter's
  // private @Context field
  opens dev.inflight.activity.jaxrs;
}
