package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EndReasonTest {

  @Test
  void wireNamesAreTheJsonKeys() {
    assertThat(EndReason.values())
        .extracting(EndReason::wireName)
        .containsExactly("completed", "client_aborted", "errored", "evicted");
  }

  @Test
  void severityFollowsDeclarationOrderWithEvictedMostSevere() {
    assertThat(EndReason.COMPLETED).isLessThan(EndReason.CLIENT_ABORTED);
    assertThat(EndReason.CLIENT_ABORTED).isLessThan(EndReason.ERRORED);
    assertThat(EndReason.ERRORED).isLessThan(EndReason.EVICTED);
  }
}
