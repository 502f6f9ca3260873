package dev.inflight.activity.cli.internal;

import java.io.PrintStream;
import java.time.ZoneId;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Everything the command takes from its surroundings, so tests can run it in-process: the streams,
 * whether to use escape codes and box-drawing characters, the clock and zone, how to wait between
 * frames and how many to draw, and where to register the Ctrl+C action.
 *
 * @param out standard output
 * @param err standard error
 * @param ansi redraw in place with escape codes (a terminal)
 * @param box box-drawing characters
 * @param zone the zone times are shown in
 * @param now the current time in epoch seconds
 * @param pacer how to wait between frames, or null for a real wait
 * @param maxFrames frames to draw before returning, {@code Long.MAX_VALUE} for ever
 * @param stopHook receives the action that ends watch mode (e.g. to run on Ctrl+C)
 */
record CliEnvironment(
    PrintStream out,
    PrintStream err,
    boolean ansi,
    FrameRenderer.Box box,
    ZoneId zone,
    DoubleSupplier now,
    WatchLoop.@Nullable Pacer pacer,
    long maxFrames,
    Consumer<Runnable> stopHook) {

  CliEnvironment {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(box, "box");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(stopHook, "stopHook");
  }

  static DoubleSupplier systemClock() {
    return () -> System.currentTimeMillis() / 1000.0;
  }
}
