package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The failure rule. The containers' own client-gone exceptions are checked against the real classes
 * in the servlet adapter's tests; here they are recognised through a cause chain.
 */
class FailuresTest {

  @Test
  void aFailedWriteTowardsTheClientIsAClientAbort() {
    assertThat(Failures.reasonForClientWrite(new IOException("Broken pipe")))
        .isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(Failures.reasonForClientWrite(new UncheckedIOException(new IOException())))
        .isEqualTo(EndReason.CLIENT_ABORTED);
  }

  @Test
  void aNonIoFailureOfAWriteIsAnError() {
    assertThat(Failures.reasonForClientWrite(new IllegalStateException()))
        .isEqualTo(EndReason.ERRORED);
    assertThat(Failures.reasonForClientWrite(null)).isEqualTo(EndReason.ERRORED);
  }

  @Test
  void theApplicationsOwnIoFailureIsAnError() {
    // thrown by the processing: perhaps the backend failed, not the client
    assertThat(Failures.reasonFor(new IOException("Connection reset")))
        .isEqualTo(EndReason.ERRORED);
    assertThat(Failures.reasonFor(null)).isEqualTo(EndReason.ERRORED);
    assertThat(Failures.isClientGone(null)).isFalse();
  }

  @Test
  void aCauseCycleEnds() {
    IOException a = new IOException("a");
    IOException b = new IOException("b", a);
    a.initCause(b);
    assertThat(Failures.reasonFor(a)).isEqualTo(EndReason.ERRORED);
    assertThat(Failures.isClientGone(new ExecutionException(a))).isFalse();
  }
}
