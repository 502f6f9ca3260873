package dev.inflight.activity.testing;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension holding an enabled tracker on a {@link FakeClock}, with no sweeper thread: time
 * moves only by {@link FakeClock#advance}, stale rows go only by {@link ActivityTracker#sweep()}.
 * The tracker is closed after each test.
 *
 * <pre>{@code
 * @RegisterExtension final ManualTracker fixture = new ManualTracker();
 *
 * @Test
 * void idleRowsAreEvicted() {
 *   fixture.tracker().open("b", "s", ConnectionType.STREAMING, null);
 *   fixture.clock().advance(Duration.ofMinutes(6));
 *   assertThat(fixture.tracker().sweep()).isEqualTo(1);
 * }
 * }</pre>
 */
public final class ManualTracker implements AfterEachCallback {

  private final FakeClock clock = new FakeClock();
  private final ActivityTracker tracker;

  /** A tracker with the default settings, a fake clock and no sweeper thread. */
  public ManualTracker() {
    this(UnaryOperator.identity());
  }

  /**
   * A tracker with a fake clock, no sweeper thread and further settings.
   *
   * @param settings adds settings to a builder that is already enabled, on the fake clock and
   *     without a sweeper
   */
  public ManualTracker(UnaryOperator<ActivitySettings.Builder> settings) {
    this.tracker =
        ActivityTracker.create(
            settings
                .apply(
                    ActivitySettings.builder()
                        .enabled(true)
                        .clock(clock)
                        .sweepInterval(Duration.ZERO))
                .build());
  }

  /**
   * The tracker.
   *
   * @return the tracker, enabled
   */
  public ActivityTracker tracker() {
    return tracker;
  }

  /**
   * The clock the tracker reads.
   *
   * @return the fake clock
   */
  public FakeClock clock() {
    return clock;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    tracker.close();
  }
}
