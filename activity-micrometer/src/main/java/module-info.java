/**
 * inflight Micrometer binder: the tracker's active rows and requests, bytes, how rows ended, their
 * durations and times to first byte, as Micrometer meters.
 */
// Micrometer ships no module descriptor; its API is part of ours, hence transitive
@SuppressWarnings("requires-transitive-automatic")
module dev.inflight.activity.micrometer {
  requires transitive dev.inflight.activity;
  requires transitive micrometer.core;
  requires static org.jspecify;

  exports dev.inflight.activity.micrometer;
}
