package dev.inflight.activity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The one rule every adapter uses to tell a client that went away from any other failure.
 *
 * <p>Two situations differ:
 *
 * <ol>
 *   <li><b>A write, flush or close towards the client threw</b> ({@link #reasonForClientWrite}):
 *       the connection to the client is what failed, so an {@link IOException} (or an {@link
 *       UncheckedIOException}) means the client left: {@link EndReason#CLIENT_ABORTED}. Anything
 *       else thrown there (a bug in a wrapper, say) is {@link EndReason#ERRORED}.
 *   <li><b>The request's processing threw</b> ({@link #reasonFor}): the application's own I/O (to a
 *       backend, a file) may throw {@code IOException} for reasons that have nothing to do with the
 *       client, so only the exceptions containers throw for a lost client connection count as
 *       {@link EndReason#CLIENT_ABORTED}, anywhere in the cause chain; everything else is {@link
 *       EndReason#ERRORED}.
 * </ol>
 *
 * <p>The containers' client-gone exceptions are recognised by class name (the adapters do not
 * depend on the containers): Jetty's {@code EofException}, Tomcat's {@code ClientAbortException},
 * Reactor Netty's {@code AbortedException}, and their subclasses.
 *
 * <p>Adapters rarely call this class directly: {@link RequestActivity#clientWriteFailed} applies
 * the first rule, and {@link RequestActivity#end(Throwable)} the second.
 */
public final class Failures {

  /** What containers throw when the client connection is gone. */
  private static final Set<String> CLIENT_GONE =
      Set.of(
          "org.eclipse.jetty.io.EofException",
          "org.apache.catalina.connector.ClientAbortException",
          "reactor.netty.channel.AbortedException");

  /** How deep the cause chain is searched; a cycle or a very long chain stops there. */
  private static final int MAX_CAUSES = 16;

  private Failures() {}

  /**
   * How a request whose processing threw {@code failure} ended.
   *
   * @param failure what was thrown, or null if the container reported a failure without one
   * @return {@link EndReason#CLIENT_ABORTED} if the failure, or one of its causes, is a container
   *     reporting a lost client connection; else {@link EndReason#ERRORED}
   */
  public static EndReason reasonFor(@Nullable Throwable failure) {
    return isClientGone(failure) ? EndReason.CLIENT_ABORTED : EndReason.ERRORED;
  }

  /**
   * How a request ended whose write, flush or close towards the client threw {@code failure}.
   *
   * @param failure what the container's stream threw, or null if none was given
   * @return {@link EndReason#CLIENT_ABORTED} for an I/O failure or a container's client-gone
   *     exception; else {@link EndReason#ERRORED}
   */
  public static EndReason reasonForClientWrite(@Nullable Throwable failure) {
    return failure instanceof IOException
            || failure instanceof UncheckedIOException
            || isClientGone(failure)
        ? EndReason.CLIENT_ABORTED
        : EndReason.ERRORED;
  }

  /**
   * Whether {@code failure} or one of its causes is a container's way of saying that the client
   * connection is gone.
   *
   * @param failure the failure, or null
   * @return true for Jetty's {@code EofException}, Tomcat's {@code ClientAbortException}, Reactor
   *     Netty's {@code AbortedException} (or a subclass) in the first 16 links of the cause chain
   */
  public static boolean isClientGone(@Nullable Throwable failure) {
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
