package dev.inflight.activity.quarkus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** Which of the property and the environment variable switches tracking. */
class ActivityTrackerProducerTest {

  @Test
  void thePropertyWinsThenTheVariableElseOff() {
    assertThat(ActivityTrackerProducer.enabled("true", "false")).isTrue();
    assertThat(ActivityTrackerProducer.enabled("off", "on")).isFalse();
    assertThat(ActivityTrackerProducer.enabled(null, "yes")).isTrue();
    assertThat(ActivityTrackerProducer.enabled(" ", "1")).isTrue();
    assertThat(ActivityTrackerProducer.enabled(null, "0")).isFalse();
    assertThat(ActivityTrackerProducer.enabled(null, null)).isFalse();
    assertThat(ActivityTrackerProducer.enabled(null, " ")).isFalse();
  }

  @Test
  void aValueThatIsNotABooleanIsRefusedWithItsSourceAndValue() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ActivityTrackerProducer.enabled("sometimes", null))
        .withMessageContaining("quarkus.inflight.activity.enabled")
        .withMessageContaining("sometimes");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ActivityTrackerProducer.enabled(null, "maybe"))
        .withMessageContaining("ENABLE_ACTIVITY_TRACKING")
        .withMessageContaining("maybe");
  }
}
