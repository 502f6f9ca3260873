package dev.inflight.activity.benchmarks;

import java.util.OptionalLong;

/**
 * One running server of the end-to-end measurements: it streams the same server-sent events,
 * flushed one by one, on 127.0.0.1, with or without inflight or another library's request metrics.
 */
interface SseServer {

  /**
   * The port the server listens on.
   *
   * @return the port
   */
  int port();

  /**
   * How many requests the variant's own request metrics (Jetty's statistics, a Micrometer timer, a
   * Dropwizard timer) have recorded so far, so a run can check they really recorded every request.
   *
   * @return the count, or empty when the variant records none
   */
  default OptionalLong requestsRecorded() {
    return OptionalLong.empty();
  }

  /**
   * Makes this variant the one the server runs, before a measured stretch of rounds: a no-op for a
   * server that runs one variant only; the {@linkplain JettySseServer#SWITCHED switched} server
   * shared by several variants runs the selected one's code from the next request on.
   */
  default void select() {}

  /**
   * Stops the server and releases its threads.
   *
   * @throws Exception if the server fails to stop
   */
  void stop() throws Exception;
}
