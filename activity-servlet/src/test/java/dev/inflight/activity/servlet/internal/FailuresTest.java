package dev.inflight.activity.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.EndReason;
import jakarta.servlet.ServletException;
import java.io.IOException;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void theContainersLostClientExceptionIsAClientAbortEvenWhenWrapped() {
    EofException eof = new EofException("reset");
    assertThat(Failures.reasonFor(eof)).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(Failures.reasonFor(new ServletException("wrapped", eof)))
        .isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(Failures.reasonForAsyncError(eof)).isEqualTo(EndReason.CLIENT_ABORTED);
  }

  @Test
  void anApplicationFailureIsAnError() {
    assertThat(Failures.reasonFor(new IllegalStateException())).isEqualTo(EndReason.ERRORED);
    assertThat(Failures.reasonFor(null)).isEqualTo(EndReason.ERRORED);
    assertThat(Failures.reasonForAsyncError(null)).isEqualTo(EndReason.ERRORED);
    assertThat(Failures.reasonForAsyncError(new IllegalStateException()))
        .isEqualTo(EndReason.ERRORED);
  }

  @Test
  void aPlainIoExceptionIsAClientAbortOnlyWhenTheContainerReportsIt() {
    IOException backend = new IOException("Connection reset");
    // thrown by the application: perhaps its backend failed
    assertThat(Failures.reasonFor(backend)).isEqualTo(EndReason.ERRORED);
    // reported to AsyncListener.onError: the client connection failed
    assertThat(Failures.reasonForAsyncError(backend)).isEqualTo(EndReason.CLIENT_ABORTED);
  }

  @Test
  void aCauseCycleEnds() {
    IOException a = new IOException("a");
    IOException b = new IOException("b", a);
    a.initCause(b);
    assertThat(Failures.reasonFor(a)).isEqualTo(EndReason.ERRORED);
  }
}
