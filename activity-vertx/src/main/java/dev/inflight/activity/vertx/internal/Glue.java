package dev.inflight.activity.vertx.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/** What the Vert.x adapter's parts share: a failure of the tracking code is logged once. */
public final class Glue {

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.vertx");
  private static final AtomicBoolean FAILURE_LOGGED = new AtomicBoolean();

  /** Whether Vert.x 5 runs this (else 4.5): Vert.x 5 moved the buffer internals here. */
  private static final boolean VERTX_5 = present("io.vertx.core.internal.buffer.BufferInternal");

  private Glue() {}

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Glue.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Refuses a part written for Vert.x 5 only, with an error that says so, on Vert.x 4.
   *
   * @param part the part's name, for the message
   * @throws IllegalStateException on Vert.x 4
   */
  public static void requireVertx5(String part) {
    if (!VERTX_5) {
      throw new IllegalStateException(
          part
              + " needs Vert.x 5 and vertx-http-proxy 5; this application runs Vert.x 4 (the"
              + " route handler, the client read stream and the diagnostics route work on both)");
    }
  }

  /**
   * Logs a failure of the tracking code, once, so that a broken tracker cannot flood the log; the
   * request it happened in goes on.
   *
   * @param what what failed
   * @param e the failure
   */
  public static void failed(String what, RuntimeException e) {
    if (FAILURE_LOGGED.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, what + " (logged once)", e);
    }
  }
}
