package dev.inflight.activity.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.Charset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EncodedLengthTest {

  @Test
  void utf8CountEqualsTheEncodedLengthHoweverTheTextIsSplit() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 80), longs().all())
        .checkAssert((text, seed) -> assertCountsLikeGetBytes("UTF-8", complete(text), seed));
  }

  @Test
  void loneSurrogatesCountAsTheirOneByteReplacement() {
    EncodedLength utf8 = EncodedLength.forCharset("UTF-8");
    assertThat(utf8.of("a\uDC00b", 0, 3)).isEqualTo(3);
    assertThat(utf8.of("\uD800", 0, 1)).isZero(); // waits for its low surrogate
    assertThat(utf8.of("c", 0, 1)).isEqualTo(2); // '?' for the lone high surrogate, then 'c'
  }

  @Test
  void singleByteCharsetsCountOneByteACharacter() {
    qt().forAll(strings().betweenCodePoints(0, 0xFF).ofLengthBetween(0, 80), longs().all())
        .checkAssert(
            (text, seed) -> {
              assertCountsLikeGetBytes("ISO-8859-1", text, seed);
              assertCountsLikeGetBytes("US-ASCII", text, seed);
            });
    assertThat(EncodedLength.forCharset(null).of("é", 0, 1)).isEqualTo(1);
  }

  @Test
  void otherCharsetsCountWhatTheirEncoderProduces() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 80), longs().all())
        .checkAssert(
            (text, seed) -> {
              for (String charset :
                  new String[] {"UTF-16", "UTF-16LE", "Shift_JIS", "windows-1252", "GB18030"}) {
                assertCountsLikeGetBytes(charset, complete(text), seed);
              }
            });
  }

  @Test
  void unknownCharsetFallsBackToOneByteACharacter() {
    assertThat(EncodedLength.forCharset("no-such-charset").of("abc", 0, 3)).isEqualTo(3);
  }

  /** Feeds {@code text} in random pieces through the three entry points; sums must match. */
  private static void assertCountsLikeGetBytes(String charset, String text, long seed) {
    EncodedLength length = EncodedLength.forCharset(charset);
    Random random = new Random(seed);
    long counted = 0;
    int i = 0;
    while (i < text.length()) {
      int n = 1 + random.nextInt(Math.min(8, text.length() - i));
      switch (random.nextInt(3)) {
        case 0:
          for (int k = i; k < i + n; k++) {
            counted += length.of(text.charAt(k));
          }
          break;
        case 1:
          char[] padded = ("##" + text.substring(i, i + n) + "#").toCharArray();
          counted += length.of(padded, 2, n);
          break;
        default:
          counted += length.of("#" + text + "#", i + 1, n);
          break;
      }
      i += n;
    }
    assertThat(counted)
        .as("%s bytes of %s", charset, text.codePoints().mapToObj(Integer::toHexString).toList())
        .isEqualTo(text.getBytes(Charset.forName(charset)).length);
  }

  /** A text does not end inside a surrogate pair (the writer would still be waiting). */
  private static String complete(String text) {
    return !text.isEmpty() && Character.isHighSurrogate(text.charAt(text.length() - 1))
        ? text + "x"
        : text;
  }
}
