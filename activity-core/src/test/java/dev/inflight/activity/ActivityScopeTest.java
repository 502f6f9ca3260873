package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.inflight.activity.testing.AllocationMeter;
import dev.inflight.activity.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // a scope is opened for its side effect on the thread
class ActivityScopeTest {

  private final ActivityTracker tracker =
      ActivityTracker.create(
          ActivitySettings.builder()
              .enabled(true)
              .clock(new FakeClock())
              .sweepInterval(Duration.ZERO)
              .build());

  @AfterEach
  void closeTracker() {
    tracker.close();
  }

  @Test
  void withNoScopeTheCurrentActivityIsTheDisabledOne() {
    assertThat(RequestActivity.current()).isSameAs(RequestActivity.disabled());
  }

  @Test
  void countingIntoTheCurrentActivityWithoutAScopeIsANoOp() {
    RequestActivity.current().addRx(100);
    RequestActivity.current().addTx(100);
    RequestActivity.current().attach("b", null, ConnectionType.STREAMING);

    assertThat(tracker.activeConnections()).isZero();
  }

  @Test
  void anActivityIsCurrentInsideItsScopeOnly() {
    RequestActivity r = tracker.beginRequest("s");
    try (ActivityScope scope = r.makeCurrent()) {
      assertThat(RequestActivity.current()).isSameAs(r);
    }
    assertThat(RequestActivity.current()).isSameAs(RequestActivity.disabled());
  }

  @Test
  void bytesCountedIntoTheCurrentActivityReachItsRow() {
    RequestActivity r = tracker.beginRequest("s");
    r.attach("openai.1", null, ConnectionType.STREAMING);
    try (ActivityScope scope = r.makeCurrent()) {
      RequestActivity.current().addRx(42);
    }
    assertThat(tracker.getGlobalSnapshot().totalBytesRx()).isEqualTo(42);
  }

  @Test
  void closingAnInnerScopeRestoresTheOuterOne() {
    RequestActivity outer = tracker.beginRequest("a");
    RequestActivity inner = tracker.beginRequest("b");
    try (ActivityScope o = outer.makeCurrent()) {
      try (ActivityScope i = inner.makeCurrent()) {
        assertThat(RequestActivity.current()).isSameAs(inner);
      }
      assertThat(RequestActivity.current()).isSameAs(outer);
    }
    assertThat(RequestActivity.current()).isSameAs(RequestActivity.disabled());
  }

  @Test
  void theDisabledActivityHidesTheOuterOneForItsScope() {
    RequestActivity outer = tracker.beginRequest("a");
    try (ActivityScope o = outer.makeCurrent()) {
      try (ActivityScope i = RequestActivity.disabled().makeCurrent()) {
        assertThat(RequestActivity.current()).isSameAs(RequestActivity.disabled());
      }
      assertThat(RequestActivity.current()).isSameAs(outer);
    }
  }

  @Test
  void closingTwiceIsHarmless() {
    RequestActivity outer = tracker.beginRequest("a");
    RequestActivity inner = tracker.beginRequest("b");
    try (ActivityScope o = outer.makeCurrent()) {
      ActivityScope i = inner.makeCurrent();
      i.close();
      i.close();
      assertThat(RequestActivity.current()).isSameAs(outer);
    }
  }

  @Test
  void anotherThreadDoesNotSeeTheScopeAndCannotCloseIt() throws Exception {
    RequestActivity r = tracker.beginRequest("a");
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (ActivityScope scope = r.makeCurrent()) {
      RequestActivity seen = CompletableFuture.supplyAsync(RequestActivity::current, other).get();
      CompletableFuture.runAsync(scope::close, other).get();

      assertThat(seen).isSameAs(RequestActivity.disabled());
      assertThat(RequestActivity.current()).isSameAs(r);
    } finally {
      other.shutdownNow();
    }
    assertThat(RequestActivity.current()).isSameAs(RequestActivity.disabled());
  }

  @Test
  void aScopeForTheDisabledActivityAllocatesNothing() {
    assumeTrue(AllocationMeter.isSupported());
    RequestActivity disabled = RequestActivity.disabled();
    long bytes =
        AllocationMeter.bytesAllocated(
            100_000,
            () -> {
              try (ActivityScope scope = disabled.makeCurrent()) {
                RequestActivity.current().addRx(1);
              }
              return null;
            });
    assertThat(bytes).isLessThan(AllocationMeter.NOISE_BYTES);
  }
}
