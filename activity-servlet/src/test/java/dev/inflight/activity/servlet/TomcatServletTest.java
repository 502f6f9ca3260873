package dev.inflight.activity.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.Failures;
import dev.inflight.activity.servlet.testing.ServletContainer;
import dev.inflight.activity.servlet.testing.TomcatContainer;
import jakarta.servlet.ServletException;
import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every servlet contract group on embedded Tomcat 11. */
class TomcatServletTest {

  static final ServletContainer CONTAINER = new TomcatContainer();

  @Nested
  class ByteCounting extends ByteCountingContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }
  }

  @Nested
  class ExactTx extends ExactTxContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }
  }

  @Nested
  class Streaming extends StreamingContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }
  }

  @Nested
  class Ending extends EndingContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }
  }

  @Nested
  class Join extends JoinContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }
  }

  @Nested
  class FilterSetup extends FilterSetupContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }
  }

  @Nested
  class Diagnostics extends DiagnosticsContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }
  }

  /** Core's rule, against the class Tomcat really throws for a lost client. */
  @Test
  void tomcatsClientAbortExceptionIsAClientAbortEvenWhenWrapped() {
    ClientAbortException abort = new ClientAbortException("Broken pipe");
    assertThat(Failures.reasonFor(abort)).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(Failures.reasonFor(new ServletException("wrapped", abort)))
        .isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(Failures.reasonForClientWrite(abort)).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(Failures.isClientGone(new RuntimeException(abort))).isTrue();
  }
}
