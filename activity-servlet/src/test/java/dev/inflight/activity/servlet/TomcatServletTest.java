package dev.inflight.activity.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.Failures;
import dev.inflight.activity.servlet.testing.ServletContainer;
import dev.inflight.activity.servlet.testing.ServletContainer.Forwarding;
import dev.inflight.activity.servlet.testing.TomcatContainer;
import jakarta.servlet.ServletException;
import java.net.InetAddress;
import java.net.UnknownHostException;
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

  /** A {@code RemoteIpValve} with its defaults: it believes private and loopback peers only. */
  @Nested
  class ForwardedAccessWithDefaultRemoteIpValve extends ForwardedAccessContract {
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
      return trustedByDefault(peer);
    }

    @Override
    protected boolean hidesTheForwardingHeader(String peer) {
      return trustedByDefault(peer);
    }
  }

  /**
   * A {@code RemoteIpValve} with {@code internalProxies=".*"}, the host and port headers, changing
   * the local name and port: it believes every peer and removes the {@code X-Forwarded-For} it
   * believed.
   */
  @Nested
  class ForwardedAccessWithRemoteIpValveTrustingEveryProxy extends ForwardedAccessContract {
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
      return true;
    }
  }

  /** Whether Tomcat's default {@code internalProxies} cover the address (private ranges). */
  static boolean trustedByDefault(String peer) {
    try {
      InetAddress a = InetAddress.getByName(peer);
      byte[] b = a.getAddress();
      boolean cgnat = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
      return a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isLoopbackAddress() || cgnat;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
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
