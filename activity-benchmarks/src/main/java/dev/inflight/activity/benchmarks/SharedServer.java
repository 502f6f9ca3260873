package dev.inflight.activity.benchmarks;

import org.jspecify.annotations.Nullable;

/**
 * A server or client that several variants share (the switched servers, and the Jetty one's
 * client): started by the first variant that asks for it, stopped when the last one stops.
 *
 * @param <S> the server or client
 */
final class SharedServer<S> {

  /** Starts the server. */
  interface Start<S> {
    S start() throws Exception;
  }

  /** Stops the server. */
  interface Stop<S> {
    void stop(S server) throws Exception;
  }

  private final Stop<S> stop;
  private @Nullable S server;
  private int users;

  SharedServer(Stop<S> stop) {
    this.stop = stop;
  }

  /** The server, started with {@code start} if no variant uses it yet; one user more. */
  synchronized S acquire(Start<S> start) throws Exception {
    S s = server;
    if (s == null) {
      s = start.start();
      server = s;
    }
    users++;
    return s;
  }

  /** One user fewer: the last one stops the server. */
  synchronized void release() throws Exception {
    S s = server;
    if (--users == 0 && s != null) {
      server = null;
      stop.stop(s);
    }
  }
}
