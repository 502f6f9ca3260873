/**
 * inflight OpenTelemetry instruments: the tracker's active rows and requests, bytes and how rows
 * ended as asynchronous instruments, durations and times to first byte as histograms.
 */
// The OpenTelemetry API ships no module descriptor; its types are part of ours, hence transitive
@SuppressWarnings("requires-transitive-automatic")
module dev.inflight.activity.opentelemetry {
  requires transitive dev.inflight.activity;
  requires transitive io.opentelemetry.api;
  requires static org.jspecify;

  exports dev.inflight.activity.opentelemetry;
}
