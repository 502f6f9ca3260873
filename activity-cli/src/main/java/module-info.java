/**
 * inflight CLI: {@code inspect-activity}, a terminal view of the live backend connections of a
 * proxy that serves {@code /v1/diagnostics}. The public API is the entry point only.
 */
module dev.inflight.activity.cli {
  requires com.fasterxml.jackson.core;
  requires dev.inflight.activity.json;
  requires info.picocli;
  requires java.net.http;
  requires static org.jspecify;

  exports dev.inflight.activity.cli;

  opens dev.inflight.activity.cli.internal to
      info.picocli;
}
