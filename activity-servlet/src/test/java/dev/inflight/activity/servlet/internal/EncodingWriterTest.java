package dev.inflight.activity.servlet.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EncodingWriterTest {

  private static final List<String> CHARSETS =
      List.of(
          "UTF-8",
          "ISO-8859-1",
          "US-ASCII",
          "UTF-16",
          "UTF-16LE",
          "Shift_JIS",
          "windows-1252",
          "GB18030");

  @Test
  void theBytesWrittenAreTheTextEncodedHoweverItIsSplit() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 80), longs().all())
        .checkAssert(
            (text, seed) -> {
              for (String charset : CHARSETS) {
                assertWritesLikeGetBytes(charset, text, seed);
              }
            });
  }

  @Test
  void aSurrogatePairSplitAcrossWritesIsOneCharacter() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EncodingWriter w = new EncodingWriter(out, UTF_8);
    w.write(0xD83D);
    assertThat(out.size()).as("the high surrogate waits for its pair").isZero();
    w.write(0xDE00);
    assertThat(out.toString(UTF_8)).isEqualTo("😀");
  }

  @Test
  void loneSurrogatesAndUnencodableCharactersBecomeTheReplacement() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EncodingWriter w = new EncodingWriter(out, ISO_8859_1);
    w.write("a\uDC00b日é\uD800");
    w.close();
    assertThat(out.toByteArray()).isEqualTo("a?b?é?".getBytes(ISO_8859_1));
  }

  @Test
  void eachWriteReachesTheStreamAtOnce() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintWriter w = new PrintWriter(new EncodingWriter(out, UTF_8));
    w.print("é");
    assertThat(out.size()).isEqualTo(2);
    w.print(12);
    assertThat(out.size()).isEqualTo(4);
    w.write("x".repeat(5000)); // more than the encoder's buffer
    assertThat(out.size()).isEqualTo(5004);
  }

  /** Feeds {@code text} in random pieces through the entry points; the bytes must match. */
  private static void assertWritesLikeGetBytes(String charset, String text, long seed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Random random = new Random(seed);
    try (EncodingWriter w = new EncodingWriter(out, Charset.forName(charset))) {
      int i = 0;
      while (i < text.length()) {
        int n = 1 + random.nextInt(Math.min(8, text.length() - i));
        switch (random.nextInt(3)) {
          case 0:
            for (int k = i; k < i + n; k++) {
              w.write(text.charAt(k));
            }
            break;
          case 1:
            w.write(("##" + text.substring(i, i + n) + "#").toCharArray(), 2, n);
            break;
          default:
            w.write("#" + text + "#", i + 1, n);
            break;
        }
        i += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(out.toByteArray())
        .as("%s bytes of %s", charset, text.codePoints().mapToObj(Integer::toHexString).toList())
        .isEqualTo(text.getBytes(Charset.forName(charset)));
  }
}
