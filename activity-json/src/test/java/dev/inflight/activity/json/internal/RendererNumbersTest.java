package dev.inflight.activity.json.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class RendererNumbersTest {

  @Test
  void millisAreWrittenAsSecondsExactlyAsAPlainBigDecimalWouldBe() {
    qt().withExamples(5_000)
        .forAll(longs().all())
        .checkAssert(
            ms ->
                assertThat(Renderer.millisAsSeconds(ms))
                    .isEqualTo(BigDecimal.valueOf(ms, 3).toPlainString()));
  }

  @Test
  void theEdgesAreWrittenPlainly() {
    assertThat(Renderer.millisAsSeconds(0)).isEqualTo("0.000");
    assertThat(Renderer.millisAsSeconds(5)).isEqualTo("0.005");
    assertThat(Renderer.millisAsSeconds(9_000)).isEqualTo("9.000");
    assertThat(Renderer.millisAsSeconds(-1_250)).isEqualTo("-1.250");
    assertThat(Renderer.millisAsSeconds(1_701_791_990_456L)).isEqualTo("1701791990.456");
    assertThat(Renderer.millisAsSeconds(Long.MIN_VALUE))
        .isEqualTo(BigDecimal.valueOf(Long.MIN_VALUE, 3).toPlainString());
    assertThat(Renderer.millisAsSeconds(Long.MAX_VALUE))
        .isEqualTo(BigDecimal.valueOf(Long.MAX_VALUE, 3).toPlainString());
  }
}
