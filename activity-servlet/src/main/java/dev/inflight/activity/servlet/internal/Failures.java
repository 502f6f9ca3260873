package dev.inflight.activity.servlet.internal;

import dev.inflight.activity.EndReason;
import java.io.IOException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Tells a client that went away from any other failure. */
final class Failures {

  /** What containers throw when the client connection is gone (Jetty, Tomcat). */
  private static final Set<String> CLIENT_GONE =
      Set.of(
          "org.eclipse.jetty.io.EofException",
          "org.apache.catalina.connector.ClientAbortException");

  private static final int MAX_CAUSES = 16;

  private Failures() {}

  /**
   * How a request that failed with {@code failure} ended.
   *
   * @param failure the exception, or null if the container gave none
   * @return {@link EndReason#CLIENT_ABORTED} if the failure (or one of its causes) is the container
   *     reporting a lost client connection, else {@link EndReason#ERRORED}
   */
  static EndReason reasonFor(@Nullable Throwable failure) {
    return isClientGone(failure) ? EndReason.CLIENT_ABORTED : EndReason.ERRORED;
  }

  /**
   * How an asynchronous request ended whose {@code AsyncListener.onError} received {@code failure}.
   * An {@link IOException} the container reports there comes from the client connection (Tomcat
   * passes the raw socket error of a failed write, e.g. "Broken pipe", even before the write itself
   * throws), so it counts as a client abort too.
   *
   * @param failure the throwable of the {@code AsyncEvent}, or null
   * @return {@link EndReason#CLIENT_ABORTED} or {@link EndReason#ERRORED}
   */
  static EndReason reasonForAsyncError(@Nullable Throwable failure) {
    return failure instanceof IOException || isClientGone(failure)
        ? EndReason.CLIENT_ABORTED
        : EndReason.ERRORED;
  }

  private static boolean isClientGone(@Nullable Throwable failure) {
    Throwable t = failure;
    for (int i = 0; t != null && i < MAX_CAUSES; i++, t = t.getCause()) {
      for (Class<?> c = t.getClass(); c != null && c != Throwable.class; c = c.getSuperclass()) {
        if (CLIENT_GONE.contains(c.getName())) {
          return true;
        }
      }
    }
    return false;
  }
}
