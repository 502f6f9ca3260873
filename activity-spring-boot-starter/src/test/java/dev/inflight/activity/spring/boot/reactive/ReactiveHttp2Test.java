package dev.inflight.activity.spring.boot.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.spring.boot.BootHttp2Contract;
import dev.inflight.activity.testing.H2TestClient.Exchange;

/**
 * The HTTP/2 cases on Boot 4's WebFlux on Reactor Netty with {@code server.http2.enabled=true}
 * (Boot's protocols h2c and HTTP/1.1 on the plain port, h2 and HTTP/1.1 over TLS), counted by the
 * starter's {@code ActivityWebFilter}.
 */
class ReactiveHttp2Test extends BootHttp2Contract {
  @Override
  protected Class<?> application() {
    return ReactiveHttp2Application.class;
  }

  @Override
  protected String expectedWebServer() {
    return "Netty";
  }

  @Override
  protected String filterBean() {
    return "inflightActivityWebFilter";
  }

  /**
   * On Reactor Netty, TX is what the stream wrote (see activity-webflux's README): a body buffer
   * counts once the connection wrote all of it, so TX never exceeds what the handler handed over,
   * and is at least what the client received minus one chunk (the one being written when the stream
   * ended, whose first DATA frames may have reached the client while its write failed). TX may
   * exceed what the client counted by buffers written before the reset or the drop reached the
   * server, which the client discarded.
   */
  @Override
  protected void assertAbortedTx(EndedConnection row, long accepted, Exchange exchange) {
    assertThat(row.bytesTx())
        .as("TX of the aborted row %s against %s, %d bytes handed over", row, exchange, accepted)
        .isLessThanOrEqualTo(accepted)
        .isGreaterThanOrEqualTo(exchange.dataBytes() - CHUNK);
  }

  /** The kept stream's DATA bytes exactly, plus the reset stream's TX within the same bounds. */
  @Override
  protected void assertAbortedJoinedTx(
      EndedConnection row, long keptBytes, long resetAccepted, Exchange reset) {
    long resetTx = row.bytesTx() - keptBytes;
    assertThat(resetTx)
        .as(
            "TX of the reset stream of %s against %s, %d bytes handed over",
            row, reset, resetAccepted)
        .isLessThanOrEqualTo(resetAccepted)
        .isGreaterThanOrEqualTo(reset.dataBytes() - CHUNK);
  }
}
