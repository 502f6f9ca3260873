/**
 * inflight OkHttp adapter: an interceptor that counts the bytes of each backend response body as
 * RX, as the caller reads them. Compiled against OkHttp 4.12, works with OkHttp 5.
 */
module dev.inflight.activity.okhttp {
  requires transitive dev.inflight.activity;
  requires transitive okhttp3;
  requires okio;
  requires static org.jspecify;

  exports dev.inflight.activity.okhttp;
}
