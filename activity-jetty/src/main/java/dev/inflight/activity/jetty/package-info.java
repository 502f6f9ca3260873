/**
 * Jetty 12 glue for inflight: {@link dev.inflight.activity.jetty.JettyClientActivity} counts what
 * Jetty's {@code HttpClient} receives (RX); {@link
 * dev.inflight.activity.jetty.ActivityProxyServlet} and {@link
 * dev.inflight.activity.jetty.ActivityAsyncProxyServlet} are Jetty's transparent proxy servlets
 * that attach each request to its backend and count RX, with {@link
 * dev.inflight.activity.jetty.ProxyAttachment} saying which backend, model and type.
 */
@NullMarked
package dev.inflight.activity.jetty;

import org.jspecify.annotations.NullMarked;
