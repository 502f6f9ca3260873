package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class TrackingBuilderTest {

  /** What an adapter's builder hands to the adapter. */
  record Built(
      @Nullable ActivityTracker fixed,
      Supplier<ActivityTracker> supplier,
      @Nullable String header,
      boolean trackerGiven,
      @Nullable String givenHeader) {}

  static final class Builder extends TrackingBuilder<Builder, Built> {
    @Override
    public Built build() {
      return new Built(
          fixedTracker(),
          trackerSupplier(),
          configuredSessionHeader(),
          trackerGiven(),
          givenSessionHeader());
    }
  }

  @Test
  void theDefaultsAreTheGlobalTrackerPerRequestAndTheDefaultHeader() {
    Built b = new Builder().build();
    assertThat(b.fixed()).isNull();
    assertThat(b.supplier().get()).isSameAs(ActivityTracker.global());
    assertThat(b.header()).isEqualTo(RequestActivity.DEFAULT_SESSION_HEADER);
    assertThat(b.trackerGiven()).isFalse();
    assertThat(b.givenHeader()).isNull();
  }

  @Test
  void aGivenTrackerIsFixedAndSupplied() {
    ActivityTracker t = ActivityTracker.disabled();
    Built b = new Builder().tracker(t).build();
    assertThat(b.fixed()).isSameAs(t);
    assertThat(b.supplier().get()).isSameAs(t);
    assertThat(b.trackerGiven()).isTrue();
  }

  @Test
  void aSupplierReplacesAFixedTracker() {
    ActivityTracker t = ActivityTracker.disabled();
    Built b = new Builder().tracker(t).tracker(() -> t).build();
    assertThat(b.fixed()).isNull();
    assertThat(b.supplier().get()).isSameAs(t);
  }

  @Test
  void theSessionHeaderIsTrimmedAndEmptyMeansNone() {
    assertThat(new Builder().sessionHeader(" X-Conversation ").build().header())
        .isEqualTo("X-Conversation");
    assertThat(new Builder().sessionHeader("  ").build().header()).isNull();
    assertThat(new Builder().sessionHeader("  ").build().givenHeader()).isEmpty();
  }

  @Test
  @SuppressWarnings("NullAway") // null on purpose
  void nullsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> new Builder().tracker((ActivityTracker) null))
        .hasMessageContaining("tracker");
    assertThatThrownBy(() -> new Builder().tracker((Supplier<ActivityTracker>) null))
        .hasMessageContaining("supplier");
    assertThatThrownBy(() -> new Builder().sessionHeader(null)).hasMessageContaining("name");
  }
}
