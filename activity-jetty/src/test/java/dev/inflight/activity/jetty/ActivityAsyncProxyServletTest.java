package dev.inflight.activity.jetty;

import jakarta.servlet.http.HttpServlet;

/** The proxy contract on Jetty's non-blocking {@code AsyncProxyServlet.Transparent}. */
class ActivityAsyncProxyServletTest extends ProxyServletContract {

  @Override
  HttpServlet newProxyServlet(ProxyAttachment attachment) {
    return new ActivityAsyncProxyServlet(attachment);
  }
}
