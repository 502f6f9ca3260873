/**
 * inflight core: the connection activity tracker, its immutable snapshots, settings and the
 * counting stream wrappers. Depends on the JDK only.
 */
@SuppressWarnings("module") // the qualified export names a module built after this one
module dev.inflight.activity {
  // transitive: the public API shows @Nullable and java.net.http's BodyHandler to its users
  requires static transitive org.jspecify;
  requires transitive java.net.http;

  exports dev.inflight.activity;
  // the counting streams' shortcut to a request's row (CountTarget), for the servlet adapter's
  // stream and the WebFlux adapter's counters
  exports dev.inflight.activity.internal to
      dev.inflight.activity.servlet,
      dev.inflight.activity.webflux;
}
