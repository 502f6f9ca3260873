/**
 * Apache HttpClient 5 glue for inflight: {@link
 * dev.inflight.activity.httpclient5.ActivityHttpClient5} builds the interceptors that count the
 * bytes each backend response delivers into the request's activity (RX).
 */
@NullMarked
package dev.inflight.activity.httpclient5;

import org.jspecify.annotations.NullMarked;
