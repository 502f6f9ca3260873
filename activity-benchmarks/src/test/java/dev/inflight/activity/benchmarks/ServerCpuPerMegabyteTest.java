package dev.inflight.activity.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.inflight.activity.benchmarks.ServerCpuPerMegabyte.Interval;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerCpuPerMegabyteTest {

  @Test
  void variantsAreNamedOneByOneOrAsGroupsInTheirOrderWithoutRepeats() {
    assertThat(ServerCpuPerMegabyte.variants("enabled,none")).containsExactly("enabled", "none");
    assertThat(ServerCpuPerMegabyte.variants("all"))
        .containsExactly(
            "none", "disabled", "enabled", "jetty-stats", "micrometer", "dropwizard", "none-2");
    assertThat(ServerCpuPerMegabyte.variants("switched"))
        .containsExactly(
            "switched-none", "switched-disabled", "switched-enabled", "switched-none-2");
    assertThat(ServerCpuPerMegabyte.variants("netty"))
        .containsExactly("netty-none", "netty-disabled", "netty-enabled");
    assertThat(ServerCpuPerMegabyte.variants("micrometer, all,netty-enabled,netty"))
        .containsExactly(
            "micrometer",
            "none",
            "disabled",
            "enabled",
            "jetty-stats",
            "dropwizard",
            "none-2",
            "netty-enabled",
            "netty-none",
            "netty-disabled");
  }

  @Test
  void cpuTimeIsSummedPerThreadSoAThreadThatLeftNeverMakesItShrink() {
    Map<Long, Long> before = Map.of(1L, 1_000L, 2L, 5_000L, 3L, 9_000L);
    // thread 3 left the pool, thread 4 is new
    Map<Long, Long> now = Map.of(1L, 1_500L, 2L, 5_200L, 4L, 300L);

    assertThat(ServerCpuPerMegabyte.cpuSince(now, before)).isEqualTo(500 + 200 + 300);
  }

  @Test
  void anUnknownVariantIsRejectedWithTheKnownOnes() {
    assertThatThrownBy(() -> ServerCpuPerMegabyte.variants("none,tomcat"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'tomcat'")
        .hasMessageContaining("jetty-stats")
        .hasMessageContaining("netty-enabled");
  }

  @Test
  void theIntervalIsTheGeometricMeanOfTheBlockRatiosWithStudentsTOnTheirLogarithms() {
    // ratios 1 and 4: logarithms 0 and ln 4, mean ln 2, standard deviation ln 4 / sqrt 2, t(1)
    Interval r = Interval.ofRatios(new double[] {2, 8}, new double[] {2, 2});
    assertThat(r.mean()).isCloseTo(2.0, within(1e-12));
    double half = 12.706 * (Math.log(4) / Math.sqrt(2)) / Math.sqrt(2);
    assertThat(Math.log(r.high()) - Math.log(r.mean())).isCloseTo(half, within(1e-9));
    assertThat(Math.log(r.mean()) - Math.log(r.low())).isCloseTo(half, within(1e-9));
    assertThat(Interval.arithmeticMean(new double[] {2, 8}, new double[] {2, 2})).isEqualTo(2.5);
  }

  @Test
  void theRatioTheOtherWayRoundIsTheReciprocalIntervalIncluded() {
    double[] a = {31.2, 30.1, 35.8, 29.9, 33.0};
    double[] b = {30.7, 31.5, 33.1, 30.2, 32.2};
    Interval ab = Interval.ofRatios(a, b);
    Interval ba = Interval.ofRatios(b, a);
    assertThat(ba.mean()).isCloseTo(1 / ab.mean(), within(1e-12));
    assertThat(ba.low()).isCloseTo(1 / ab.high(), within(1e-12));
    assertThat(ba.high()).isCloseTo(1 / ab.low(), within(1e-12));
    // the arithmetic mean of ratios reads a cost both ways round
    assertThat(Interval.arithmeticMean(a, b) * Interval.arithmeticMean(b, a)).isGreaterThan(1.0);
  }

  @Test
  void aJvmCountsOnceAsTheGeometricMeansWhoseRatioIsItsGeometricMeanOfTheBlockRatios() {
    double[] a = {31.2, 30.1, 35.8, 29.9, 33.0};
    double[] b = {30.7, 31.5, 33.1, 30.2, 32.2};
    assertThat(ServerCpuPerMegabyte.geometricMean(new double[] {2, 8})).isCloseTo(4, within(1e-12));
    assertThat(ServerCpuPerMegabyte.geometricMean(a) / ServerCpuPerMegabyte.geometricMean(b))
        .isCloseTo(Interval.ofRatios(a, b).mean(), within(1e-12));
  }

  @Test
  void blocksThatAgreeGiveAnIntervalOfNoWidth() {
    Interval r = Interval.ofRatios(new double[] {3, 6, 9}, new double[] {2, 4, 6});
    assertThat(r.mean()).isCloseTo(1.5, within(1e-12));
    assertThat(r.low()).isCloseTo(1.5, within(1e-12));
    assertThat(r.high()).isCloseTo(1.5, within(1e-12));
    assertThat(r).hasToString("1.5000, 95% CI [1.5000, 1.5000]");
  }

  @Test
  void theTargetsAreJudgedOnTheMeanAndTheInterval() {
    assertThat(new Interval(1.01, 1.005, 1.015).atMost(1.01, 1.015)).isTrue();
    assertThat(new Interval(1.011, 1.009, 1.013).atMost(1.01, 1.015)).isFalse();
    assertThat(new Interval(1.0, 0.98, 1.016).atMost(1.01, 1.015)).isFalse();

    assertThat(new Interval(1.01, 0.999, 1.02).noCostShown(1.005)).isTrue(); // includes 1.0
    assertThat(new Interval(1.003, 1.001, 1.004).noCostShown(1.005)).isTrue(); // below 1.005
    assertThat(new Interval(0.98, 0.97, 0.99).noCostShown(1.005)).isTrue();
    assertThat(new Interval(1.01, 1.002, 1.018).noCostShown(1.005)).isFalse();

    assertThat(new Interval(0.9, 0.85, 0.99).below(1.0)).isTrue();
    assertThat(new Interval(0.9, 0.8, 1.0).below(1.0)).isFalse();
  }
}
