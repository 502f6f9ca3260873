package dev.inflight.activity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void aCleanShortNameIsReturnedAsIsWithoutCopying() {
    String s = "openai.1-\u00e9\uD83D\uDE00";
    assertThat(Names.clean(s, 128)).isSameAs(s);
  }

  @Test
  void unsafeCharactersAreReplaced() {
    assertThat(Names.clean("a\u0000b\u001bc\u007fd\u0085e", 128))
        .isEqualTo("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe");
    assertThat(Names.clean("x\u202Ey\u2066z\u2028w\u2029", 128))
        .isEqualTo("x\uFFFDy\uFFFDz\uFFFDw\uFFFD");
  }

  @Test
  void loneSurrogatesAreReplacedWhereverTheyAre() {
    assertThat(Names.clean("\uDC00abc", 128)).isEqualTo("\uFFFDabc");
    assertThat(Names.clean("ab\uD800c", 128)).isEqualTo("ab\uFFFDc");
    // at the very end of a short name: replaced, not cut with an ellipsis
    assertThat(Names.clean("abc\uD800", 128)).isEqualTo("abc\uFFFD");
  }

  @Test
  void longNamesAreCutToTheLimitWithAnEllipsis() {
    String cut = Names.clean("x".repeat(1_000_000), 256);
    assertThat(cut).hasSize(256).endsWith("\u2026").startsWith("xxx");
    assertThat(Names.clean("abcdef", 6)).isEqualTo("abcdef");
    assertThat(Names.clean("abcdefg", 6)).isEqualTo("abcde\u2026");
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    // the pair would straddle the cut at index 4: it is dropped whole
    String s = "abcd\uD83D\uDE00efgh";
    assertThat(Names.clean("abc" + "\uD83D\uDE00" + "efgh", 5)).isEqualTo("abc\u2026");
    assertThat(Names.clean(s, 6)).isEqualTo("abcd\u2026");
    assertThat(Names.clean(s, 7)).isEqualTo("abcd\uD83D\uDE00\u2026");
  }

  @Test
  void anyStringComesOutSafeAndWithinTheLimit() {
    qt().withExamples(2_000)
        .forAll(strings().allPossible().ofLengthBetween(0, 400), integers().between(1, 300))
        .checkAssert(
            (s, max) -> {
              String c = Names.clean(s, max);
              assertThat(c.length()).isLessThanOrEqualTo(Math.max(max, 0));
              assertThat(c.chars()).noneMatch(Character::isISOControl);
              assertThat(c.chars()).noneMatch(ch -> ch >= 0x202A && ch <= 0x202E);
              assertThat(new String(c.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                  .isEqualTo(c);
              assertThat(Names.clean(c, max)).isEqualTo(c); // idempotent
            });
  }

  @Test
  void requireRejectsNullAndBlankNamingWhatWasMissing() {
    assertThatThrownBy(() -> Names.require(null, "backend", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backend must not be null or blank, got 'null'");
    assertThatThrownBy(() -> Names.require(" \t", "sessionId", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sessionId must not be null or blank");
    assertThat(Names.require("ok", "backend", 10)).isEqualTo("ok");
  }

  @Test
  void generatedSessionIdsAreRandomHex() {
    assertThat(Names.generateSessionId()).matches("gen-[0-9a-f]{16}");
    assertThat(Names.generateSessionId()).isNotEqualTo(Names.generateSessionId());
  }

  @Test
  void generatedIdsAreSixteenHexDigitsOfTheRandomNumber() {
    qt().forAll(longs().all())
        .checkAssert(
            r -> assertThat(Names.sessionIdOf(r)).isEqualTo("gen-" + String.format("%016x", r)));
  }
}
