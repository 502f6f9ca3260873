/**
 * inflight for Jakarta Servlet 6 containers: a filter that counts the bytes sent to clients and a
 * servlet serving the diagnostics endpoints.
 */
module dev.inflight.activity.servlet {
  requires static org.jspecify;
  requires transitive dev.inflight.activity;
  requires transitive dev.inflight.activity.json;
  requires transitive jakarta.servlet;

  exports dev.inflight.activity.servlet;
}
