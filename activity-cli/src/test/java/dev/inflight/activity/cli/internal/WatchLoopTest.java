package dev.inflight.activity.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WatchLoopTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final List<Duration> pauses = new ArrayList<>();
  private final AtomicInteger counter = new AtomicInteger();

  private final WatchLoop.Frames numbered =
      () -> List.of("frame " + counter.incrementAndGet(), "second line");

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void ansiFramesRedrawInPlace() {
    WatchLoop loop =
        new WatchLoop(numbered, out, true, Duration.ofMillis(1500), d -> !pauses.add(d), 3);

    assertThat(loop.run()).isZero();

    String s = output();
    assertThat(s).startsWith(WatchLoop.HIDE_CURSOR + WatchLoop.CLEAR_SCREEN + WatchLoop.HOME);
    assertThat(s.split(java.util.regex.Pattern.quote(WatchLoop.HOME), -1)).hasSize(4);
    assertThat(s)
        .contains(
            "frame 1"
                + WatchLoop.CLEAR_LINE
                + "\nsecond line"
                + WatchLoop.CLEAR_LINE
                + "\n"
                + WatchLoop.CLEAR_BELOW
                + WatchLoop.HOME
                + "frame 2")
        .endsWith(
            "frame 3"
                + WatchLoop.CLEAR_LINE
                + "\nsecond line"
                + WatchLoop.CLEAR_LINE
                + "\n"
                + WatchLoop.CLEAR_BELOW
                + WatchLoop.SHOW_CURSOR);
    // never clears the whole screen again: that is what flickers
    assertThat(s.indexOf(WatchLoop.CLEAR_SCREEN, s.indexOf(WatchLoop.CLEAR_SCREEN) + 1))
        .isEqualTo(-1);
    assertThat(pauses).containsExactly(Duration.ofMillis(1500), Duration.ofMillis(1500));
  }

  @Test
  void plainFramesHaveNoEscapeCodes() {
    WatchLoop loop = new WatchLoop(numbered, out, false, Duration.ofSeconds(1), d -> false, 2);

    assertThat(loop.run()).isZero();

    assertThat(output())
        .isEqualTo("frame 1\nsecond line\n\nframe 2\nsecond line\n")
        .doesNotContain("\u001b");
  }

  @Test
  void stopEndsTheLoopDuringTheWaitAndRestoresTheCursor() {
    WatchLoop[] loop = new WatchLoop[1];
    loop[0] =
        new WatchLoop(
            numbered,
            out,
            true,
            Duration.ofHours(1),
            d -> {
              loop[0].stop(); // Ctrl+C while waiting
              throw new InterruptedException();
            },
            Long.MAX_VALUE);

    assertThat(loop[0].run()).isZero();

    assertThat(counter.get()).isEqualTo(1);
    assertThat(output()).endsWith(WatchLoop.SHOW_CURSOR);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void theRealPacerReturnsAtOnceWhenStopped() {
    WatchLoop[] loop = new WatchLoop[1];
    loop[0] =
        new WatchLoop(
            () -> {
              if (counter.incrementAndGet() == 2) {
                loop[0].stop();
              }
              return List.of("frame " + counter.get());
            },
            out,
            false,
            Duration.ofMillis(1),
            null,
            Long.MAX_VALUE);

    assertThat(loop[0].run()).isZero();

    assertThat(output()).isEqualTo("frame 1\n"); // the frame fetched after the stop is dropped
  }
}
