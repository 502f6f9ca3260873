/**
 * inflight Jetty 12 adapter: RX counting for Jetty's {@code HttpClient}, and ready ee10 proxy
 * servlets that attach the backend and count what it sends.
 */
module dev.inflight.activity.jetty {
  requires transitive dev.inflight.activity;
  requires transitive dev.inflight.activity.servlet;
  requires transitive org.eclipse.jetty.client;
  requires transitive org.eclipse.jetty.ee10.proxy;
  requires transitive org.eclipse.jetty.util;
  requires org.eclipse.jetty.http;
  requires transitive jakarta.servlet;
  requires static org.jspecify;

  exports dev.inflight.activity.jetty;
}
