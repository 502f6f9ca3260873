/**
 * inflight Apache HttpClient 5 adapter: interceptors that count the bytes of each backend response
 * body as RX, as they arrive, for the classic and the async client.
 */
module dev.inflight.activity.httpclient5 {
  requires transitive dev.inflight.activity;
  requires transitive org.apache.httpcomponents.client5.httpclient5;
  requires transitive org.apache.httpcomponents.core5.httpcore5;
  requires static org.jspecify;

  exports dev.inflight.activity.httpclient5;
}
