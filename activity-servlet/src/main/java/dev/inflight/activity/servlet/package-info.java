/**
 * Jakarta Servlet 6 adapter: mount {@link dev.inflight.activity.servlet.ActivityFilter} to count
 * the bytes sent to clients, use {@link dev.inflight.activity.servlet.ServletActivity} in the proxy
 * code to attach a request to its backend, and mount {@link
 * dev.inflight.activity.servlet.DiagnosticsServlet} to serve {@code /v1/diagnostics}.
 */
@NullMarked
package dev.inflight.activity.servlet;

import org.jspecify.annotations.NullMarked;
