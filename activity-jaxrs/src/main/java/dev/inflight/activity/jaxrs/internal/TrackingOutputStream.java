package dev.inflight.activity.jaxrs.internal;

import dev.inflight.activity.ActivityStreams;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The response body stream of a tracked request: core's counting stream (TX counted after each
 * write the container accepted, a failed write recorded as the client leaving), plus the two events
 * the exchange needs: a failure ends the request at once, and a close ends it when the exchange
 * says a close is the end (see {@link Exchange#endsWhenStreamCloses()}). No buffering: {@code
 * flush()} passes straight through, so streamed events are not delayed.
 */
final class TrackingOutputStream extends OutputStream {
  private final OutputStream counted;
  private final Exchange exchange;

  TrackingOutputStream(OutputStream out, Exchange exchange) {
    this.counted = ActivityStreams.countTx(out, exchange.activity());
    this.exchange = exchange;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      counted.write(b);
    } catch (IOException | RuntimeException e) {
      exchange.streamFailed();
      throw e;
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      counted.write(b, off, len);
    } catch (IOException | RuntimeException e) {
      exchange.streamFailed();
      throw e;
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      counted.flush();
    } catch (IOException | RuntimeException e) {
      exchange.streamFailed();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      counted.close();
    } catch (IOException | RuntimeException e) {
      exchange.streamFailed();
      throw e;
    }
    exchange.streamClosed();
  }
}
