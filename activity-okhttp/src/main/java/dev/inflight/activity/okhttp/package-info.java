/**
 * OkHttp glue for inflight: {@link dev.inflight.activity.okhttp.ActivityInterceptor} counts the
 * bytes each backend response body delivers into the request's activity (RX).
 */
@NullMarked
package dev.inflight.activity.okhttp;

import org.jspecify.annotations.NullMarked;
