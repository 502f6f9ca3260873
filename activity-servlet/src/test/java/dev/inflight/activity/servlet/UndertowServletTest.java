package dev.inflight.activity.servlet;

import dev.inflight.activity.servlet.testing.ServletContainer;
import dev.inflight.activity.servlet.testing.ServletContainer.Forwarding;
import dev.inflight.activity.servlet.testing.UndertowContainer;
import org.junit.jupiter.api.Nested;

/** Every servlet contract group on embedded Undertow 2.3. */
class UndertowServletTest {

  static final ServletContainer CONTAINER = new UndertowContainer();

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

    /** Undertow's own writer ends {@code println} lines with CRLF. */
    @Override
    protected String ownWriterLineSeparator() {
      return "\r\n";
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

    /** Undertow 2.3 can fail a write racing a reset unchecked (see the module README). */
    @Override
    protected boolean resetsMayEndErrored() {
      return true;
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

  /**
   * {@code ProxyPeerAddressHandler} and {@code ForwardedHandler}, as {@code
   * proxy-address-forwarding="true"} sets up: they believe every peer.
   */
  @Nested
  class ForwardedAccessWithProxyPeerAddressHandler extends ForwardedAccessContract {
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

  /** The same handlers, allowed to change the local address and port. */
  @Nested
  class ForwardedAccessWithProxyHandlersChangingTheLocalAddress extends ForwardedAccessContract {
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
}
