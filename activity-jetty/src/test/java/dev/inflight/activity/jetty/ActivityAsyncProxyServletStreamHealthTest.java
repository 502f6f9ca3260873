package dev.inflight.activity.jetty;

import jakarta.servlet.http.HttpServlet;

/** The stream health contract on {@code ActivityAsyncProxyServlet}. */
class ActivityAsyncProxyServletStreamHealthTest extends ProxyStreamHealthContract {

  @Override
  HttpServlet newProxyServlet(ProxyAttachment attachment) {
    return new ActivityAsyncProxyServlet(attachment);
  }
}
