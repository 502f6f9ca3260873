package dev.inflight.activity.jetty;

import jakarta.servlet.http.HttpServlet;

/** The stream health contract on {@code ActivityProxyServlet}. */
class ActivityProxyServletStreamHealthTest extends ProxyStreamHealthContract {

  @Override
  HttpServlet newProxyServlet(ProxyAttachment attachment) {
    return new ActivityProxyServlet(attachment);
  }
}
