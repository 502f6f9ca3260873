/**
 * inflight core: the connection activity tracker, its immutable snapshots, settings and the
 * counting stream wrappers. Depends on the JDK only.
 */
module dev.inflight.activity {
  requires static org.jspecify;
  requires java.net.http;

  exports dev.inflight.activity;
}
