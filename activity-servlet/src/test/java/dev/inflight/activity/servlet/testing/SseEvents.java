package dev.inflight.activity.servlet.testing;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/** Reads a server-sent-event response the way the tests check it: one event at a time. */
public final class SseEvents {

  private SseEvents() {}

  /**
   * Reads one event, up to and including its empty line ({@code \n\n}), on one of {@code workers},
   * so that a response that hangs fails the test in time instead of blocking it.
   *
   * @param workers where the blocking read runs
   * @param in the response body
   * @param wait how long the event may take
   * @return the event's bytes; fewer, without the empty line, if the body ended first
   * @throws Exception if the read fails or takes longer than {@code wait}
   */
  public static byte[] readEvent(ExecutorService workers, InputStream in, Duration wait)
      throws Exception {
    return workers
        .submit(
            () -> {
              ByteArrayOutputStream event = new ByteArrayOutputStream();
              int previous = -1;
              for (int b; (b = in.read()) >= 0; ) {
                event.write(b);
                if (b == '\n' && previous == '\n') {
                  break;
                }
                previous = b;
              }
              return event.toByteArray();
            })
        .get(wait.toMillis(), MILLISECONDS);
  }
}
