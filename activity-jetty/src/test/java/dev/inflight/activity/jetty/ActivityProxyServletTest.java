package dev.inflight.activity.jetty;

import jakarta.servlet.http.HttpServlet;

/** The proxy contract on Jetty's blocking {@code ProxyServlet.Transparent}. */
class ActivityProxyServletTest extends ProxyServletContract {

  @Override
  HttpServlet newProxyServlet(ProxyAttachment attachment) {
    return new ActivityProxyServlet(attachment);
  }
}
