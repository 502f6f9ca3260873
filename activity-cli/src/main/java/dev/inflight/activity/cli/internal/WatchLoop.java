package dev.inflight.activity.cli.internal;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Redraws a frame every interval until stopped. On a terminal each frame is drawn over the previous
 * one (cursor home, each line cleared to its end, the rest of the screen cleared), written in one
 * piece so it does not flicker; elsewhere frames are printed one after another with no escape
 * codes.
 */
final class WatchLoop {

  static final String ESC = "\u001b[";
  static final String HOME = ESC + "H";
  static final String CLEAR_LINE = ESC + "K";
  static final String CLEAR_BELOW = ESC + "J";
  static final String CLEAR_SCREEN = ESC + "2J";
  static final String HIDE_CURSOR = ESC + "?25l";
  static final String SHOW_CURSOR = ESC + "?25h";

  /** Produces the next frame; errors become frames too. */
  interface Frames {
    List<String> next() throws InterruptedException;
  }

  /** Waits between frames; returns early (true) when stopped. */
  interface Pacer {
    boolean pause(Duration interval) throws InterruptedException;
  }

  private final Frames frames;
  private final PrintStream out;
  private final boolean ansi;
  private final Duration interval;
  private final long maxFrames;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Pacer pacer;
  private volatile @Nullable Thread runner;

  /**
   * @param frames where frames come from
   * @param out the terminal or pipe
   * @param ansi whether to redraw in place with escape codes
   * @param interval time between frames
   * @param pacer how to wait, or null to wait on the stop signal for real
   * @param maxFrames stop after this many frames (tests); {@code Long.MAX_VALUE} for ever
   */
  WatchLoop(
      Frames frames,
      PrintStream out,
      boolean ansi,
      Duration interval,
      @Nullable Pacer pacer,
      long maxFrames) {
    this.frames = Objects.requireNonNull(frames, "frames");
    this.out = Objects.requireNonNull(out, "out");
    this.ansi = ansi;
    this.interval = Objects.requireNonNull(interval, "interval");
    this.pacer = pacer != null ? pacer : d -> stopped.await(d.toNanos(), TimeUnit.NANOSECONDS);
    this.maxFrames = maxFrames;
  }

  /**
   * Draws frames until {@link #stop()}, an interrupt or the frame limit.
   *
   * @return the exit code: 0
   */
  int run() {
    runner = Thread.currentThread();
    if (ansi) {
      out.print(HIDE_CURSOR + CLEAR_SCREEN);
    }
    try {
      for (long n = 0; n < maxFrames && stopped.getCount() > 0; n++) {
        List<String> frame = frames.next();
        if (stopped.getCount() == 0) {
          break;
        }
        draw(frame, n == 0);
        if (n + 1 < maxFrames && pacer.pause(interval)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      // Ctrl+C: leave the last frame on screen and exit normally.
    } finally {
      runner = null;
      Thread.interrupted();
      if (ansi) {
        out.print(SHOW_CURSOR);
      }
      out.flush();
    }
    return 0;
  }

  /** Asks the loop to finish: the wait or the request in progress is cut short. */
  void stop() {
    stopped.countDown();
    Thread t = runner;
    if (t != null) {
      t.interrupt();
    }
  }

  private void draw(List<String> frame, boolean first) {
    StringBuilder sb = new StringBuilder(4096);
    if (ansi) {
      sb.append(HOME);
      for (String line : frame) {
        sb.append(line).append(CLEAR_LINE).append('\n');
      }
      sb.append(CLEAR_BELOW);
    } else {
      if (!first) {
        sb.append('\n');
      }
      for (String line : frame) {
        sb.append(line).append('\n');
      }
    }
    out.print(sb);
    out.flush();
  }
}
