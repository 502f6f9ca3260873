package dev.inflight.activity.json.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.SourceDSL;

/**
 * The rows' strings are written by hand: byte for byte as Jackson's UTF-8 generator writes them.
 */
class RendererStringsTest {

  private interface Write {
    void to(JsonGenerator g) throws IOException;
  }

  /** What a UTF-8 generator, as the renderer uses, puts out. */
  private static String bytes(Write write) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      write.to(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(out.toByteArray());
  }

  private static String jackson(String s) {
    return bytes(g -> g.writeString(s));
  }

  /** Our bytes, as the rows' writer puts them out. */
  private static String ours(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ConnectionsWriter w = new ConnectionsWriter(out);
      w.string(s);
      w.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(out.toByteArray());
  }

  @Test
  void anyStringIsEscapedAsJacksonEscapesIt() {
    qt().withExamples(2_000)
        .forAll(SourceDSL.strings().basicMultilingualPlaneAlphabet().ofLengthBetween(0, 30))
        .checkAssert(s -> assertThat(ours(s)).isEqualTo(jackson(s)));
  }

  @Test
  void theSpecialCharactersAreEscapedAsJacksonEscapesThem() {
    String special = "\"\\/\b\t\n\f\r\u0000\u001f\u007f\u2028 é\uD83D\uDE00\uD800x\uDC00";
    assertThat(ours(special)).isEqualTo(jackson(special));
    assertThat(ours("a\"b")).isEqualTo(HexFormat.of().formatHex("\"a\\\"b\"".getBytes(UTF_8)));
  }
}
