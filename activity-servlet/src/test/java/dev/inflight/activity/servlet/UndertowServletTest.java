package dev.inflight.activity.servlet;

import dev.inflight.activity.servlet.testing.ServletContainer;
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
}
