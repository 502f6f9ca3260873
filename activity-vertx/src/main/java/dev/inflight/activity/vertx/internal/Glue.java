package dev.inflight.activity.vertx.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/** What the Vert.x adapter's parts share: a failure of the tracking code is logged once. */
public final class Glue {

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.vertx");
  private static final AtomicBoolean FAILURE_LOGGED = new AtomicBoolean();

  private Glue() {}

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
