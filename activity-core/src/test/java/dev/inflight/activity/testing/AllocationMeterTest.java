package dev.inflight.activity.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class AllocationMeterTest {

  @Test
  void anAllocationPerCallIsSeen() {
    assumeTrue(AllocationMeter.isSupported());
    long bytes = AllocationMeter.bytesAllocated(100_000, () -> new byte[16]);
    assertThat(bytes).isGreaterThanOrEqualTo(100_000L * 16);
  }

  @Test
  void aCallThatAllocatesNothingStaysUnderTheNoise() {
    assumeTrue(AllocationMeter.isSupported());
    Object shared = new Object();
    assertThat(AllocationMeter.bytesAllocated(100_000, () -> shared))
        .isLessThan(AllocationMeter.NOISE_BYTES);
  }
}
