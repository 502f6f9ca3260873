package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.testing.ManualTracker;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How {@link RequestActivity#fail}, {@link RequestActivity#clientWriteFailed} and the end meet. */
class RequestOutcomeTest {

  @RegisterExtension final ManualTracker fixture = new ManualTracker();
  private final ActivityTracker tracker = fixture.tracker();

  private EndCounts ended() {
    return tracker.getBackendSnapshot("b").orElseThrow().ended();
  }

  private RequestActivity attached() {
    RequestActivity r = tracker.beginRequest("s");
    r.attach("b", null, ConnectionType.STREAMING);
    return r;
  }

  @Test
  void aFailedBackendCallEndsErroredWhenTheAdapterEnds() {
    RequestActivity r = attached();
    r.fail(EndReason.ERRORED);
    assertThat(r.isOpen()).isTrue(); // recorded, not ended
    assertThat(tracker.activeConnections()).isEqualTo(1);

    r.end(EndReason.COMPLETED);
    r.end(EndReason.COMPLETED); // the second end changes nothing

    assertThat(ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(tracker.activeConnections()).isZero();
  }

  @Test
  void aFailedWriteTowardsTheClientEndsClientAborted() throws Exception {
    RequestActivity r = attached();
    IOException broken = new IOException("Broken pipe");

    assertThat(r.clientWriteFailed(broken)).isSameAs(broken);
    assertThat(r.isClientGone()).isTrue();
    r.end(EndReason.COMPLETED);

    assertThat(ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
  }

  @Test
  void aNonIoFailureOfAWriteIsAnError() {
    RequestActivity r = attached();
    r.clientWriteFailed(new IllegalStateException("bug in a wrapper"));
    assertThat(r.isClientGone()).isFalse();
    r.end(EndReason.COMPLETED);
    assertThat(ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void theMostSevereOutcomeWins() {
    RequestActivity r = attached();
    r.clientWriteFailed(new UncheckedIOException(new IOException("reset")));
    r.fail(EndReason.ERRORED);
    r.fail(EndReason.CLIENT_ABORTED); // less severe: ignored
    r.fail(EndReason.COMPLETED); // changes nothing
    assertThat(r.isClientGone()).isFalse();
    r.end(EndReason.COMPLETED);
    assertThat(ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void theAdaptersReasonWinsWhenItIsMoreSevere() {
    RequestActivity r = attached();
    r.fail(EndReason.CLIENT_ABORTED);
    r.end(EndReason.ERRORED);
    assertThat(ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void endingWithAThrowableClassifiesIt() {
    RequestActivity r = attached();
    r.end(new IOException("the backend reset the connection"));
    assertThat(ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void onlyTheTrackerEvicts() {
    RequestActivity r = attached();
    assertThatThrownBy(() -> r.fail(EndReason.EVICTED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only the tracker evicts");
  }

  @Test
  void aFailureRecordedBeforeTheAttachStillCounts() {
    RequestActivity r = tracker.beginRequest("s");
    r.fail(EndReason.ERRORED);
    r.attach("b", null, ConnectionType.NON_STREAMING);
    r.end(EndReason.COMPLETED);
    assertThat(ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void theDisabledInstanceRecordsNothing() {
    RequestActivity r = RequestActivity.disabled();
    IOException e = new IOException();
    assertThat(r.clientWriteFailed(e)).isSameAs(e);
    r.fail(EndReason.ERRORED);
    assertThat(r.isClientGone()).isFalse();
    r.end(EndReason.COMPLETED);
    assertThat(r.isOpen()).isFalse();
  }
}
