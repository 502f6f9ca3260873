package dev.inflight.activity.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class FormatTest {

  @Test
  void bytesUseTheSeedsUnits() {
    assertThat(Format.bytes(0)).isEqualTo("0 B");
    assertThat(Format.bytes(1023)).isEqualTo("1023 B");
    assertThat(Format.bytes(1024)).isEqualTo("1.0 KB");
    assertThat(Format.bytes(15_360)).isEqualTo("15.0 KB");
    assertThat(Format.bytes(14_848)).isEqualTo("14.5 KB");
    assertThat(Format.bytes(8_397)).isEqualTo("8.2 KB");
    assertThat(Format.bytes(1024L * 1024 - 1)).isEqualTo("1.0 MB");
    assertThat(Format.bytes(5L * 1024 * 1024 * 1024)).isEqualTo("5.0 GB");
    assertThat(Format.bytes(Long.MAX_VALUE)).isEqualTo("8.0 EB");
  }

  @Test
  void durationsUseSecondsThenMinutesThenHours() {
    assertThat(Format.duration(0)).isEqualTo("0.0s");
    assertThat(Format.duration(12.34)).isEqualTo("12.3s");
    assertThat(Format.duration(59.9)).isEqualTo("59.9s");
    assertThat(Format.duration(59.97)).isEqualTo("1m 0s");
    assertThat(Format.duration(303)).isEqualTo("5m 3s");
    assertThat(Format.duration(3599)).isEqualTo("59m 59s");
    assertThat(Format.duration(3600 * 2 + 5 * 60 + 7)).isEqualTo("2h 5m");
    assertThat(Format.duration(-1)).isEqualTo("-");
    assertThat(Format.duration(Double.NaN)).isEqualTo("-");
  }

  @Test
  void longSessionIdsAreShortened() {
    assertThat(Format.session("abc123def456ghi789")).isEqualTo("abc123def4...");
    assertThat(Format.session("abc123def4567")).isEqualTo("abc123def4567");
    assertThat(Format.session("short")).isEqualTo("short");
  }

  @Test
  void clockShowsWallTimeInTheGivenZone() {
    assertThat(Format.clock(1701792000.123, ZoneOffset.UTC)).isEqualTo("16:00:00");
    assertThat(Format.clock(1701792605.9, ZoneOffset.ofHours(1))).isEqualTo("17:10:05");
  }

  @Test
  void intervalsDropATrailingZero() {
    assertThat(Format.interval(1)).isEqualTo("1.0s");
    assertThat(Format.interval(0.25)).isEqualTo("0.25s");
    assertThat(Format.interval(2.5)).isEqualTo("2.5s");
  }
}
