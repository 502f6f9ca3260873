/**
 * inflight core: the connection activity tracker, its immutable snapshots, settings and the
 * counting stream wrappers. Depends on the JDK only.
 */
module dev.inflight.activity {
  // transitive: the public API shows @Nullable and java.net.http's BodyHandler to its users
  requires static transitive org.jspecify;
  requires transitive java.net.http;

  exports dev.inflight.activity;
}
