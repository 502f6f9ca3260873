package dev.inflight.activity.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.Failures;
import dev.inflight.activity.servlet.testing.JettyContainer;
import dev.inflight.activity.servlet.testing.ServletContainer;
import dev.inflight.activity.servlet.testing.ServletContainer.Forwarding;
import jakarta.servlet.ServletException;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every servlet contract group on embedded Jetty 12 (ee10). */
class JettyServletTest {

  static final ServletContainer CONTAINER = new JettyContainer();

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

    /**
     * Jetty's own UTF-8 writer encodes a lone surrogate as three bytes, and its ISO-8859-1 writer
     * replaces a character beyond the BMP with two {@code '?'}.
     */
    @Override
    protected boolean ownWriterEncodesTrickyTextLikeTheJdk(String charset) {
      return !charset.equals("UTF-8") && !charset.equals("ISO-8859-1");
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
  class StreamHealth extends StreamHealthContract {
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
  class Http2 extends Http2Contract {
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

  @Nested
  class DiagnosticsListener extends DiagnosticsListenerContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }
  }

  /** A {@code ForwardedRequestCustomizer} with its defaults: it believes every peer. */
  @Nested
  class ForwardedAccessWithForwardedRequestCustomizer extends ForwardedAccessContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }

    @Override
    protected Forwarding forwarding() {
      return Forwarding.CONTAINER_DEFAULTS;
    }

    @Override
    protected boolean rewritesRemoteAddress(String peer) {
      return true;
    }

    @Override
    protected boolean hidesTheForwardingHeader(String peer) {
      return false;
    }
  }

  /** A {@code ForwardedRequestCustomizer} that also takes the proxy's address as the authority. */
  @Nested
  class ForwardedAccessWithForwardedRequestCustomizerProxyAsAuthority
      extends ForwardedAccessContract {
    @Override
    protected ServletContainer container() {
      return CONTAINER;
    }

    @Override
    protected Forwarding forwarding() {
      return Forwarding.TRUST_ALL;
    }

    @Override
    protected boolean rewritesRemoteAddress(String peer) {
      return true;
    }

    @Override
    protected boolean hidesTheForwardingHeader(String peer) {
      return false;
    }
  }

  /** Core's rule, against the class Jetty really throws for a lost client. */
  @Test
  void jettysEofExceptionIsAClientAbortEvenWhenWrapped() {
    EofException eof = new EofException("reset");
    assertThat(Failures.reasonFor(eof)).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(Failures.reasonFor(new ServletException("wrapped", eof)))
        .isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(Failures.reasonForClientWrite(eof)).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(Failures.isClientGone(new RuntimeException(eof))).isTrue();
  }
}
