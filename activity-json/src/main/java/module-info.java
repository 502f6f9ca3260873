/**
 * inflight JSON: renders tracker snapshots as the diagnostics documents, parses them back into
 * typed views, and holds the HTTP handling every adapter shares.
 */
module dev.inflight.activity.json {
  requires transitive dev.inflight.activity;
  requires com.fasterxml.jackson.databind;
  requires static org.jspecify;

  exports dev.inflight.activity.json;
}
