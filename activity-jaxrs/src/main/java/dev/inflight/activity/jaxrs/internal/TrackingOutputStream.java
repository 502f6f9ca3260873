package dev.inflight.activity.jaxrs.internal;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The response body stream of a tracked request: counts each byte the container accepted as TX,
 * passes {@code flush()} straight through (no buffering, so streamed events are not delayed), ends
 * the request as completed when the container closes it if the exchange says a close is the end
 * (see {@link Exchange#endsWhenStreamCloses()}), and as client-aborted when the container's stream
 * throws an I/O error (the usual sign of a client that left).
 */
final class TrackingOutputStream extends OutputStream {
  private final OutputStream out;
  private final Exchange exchange;

  TrackingOutputStream(OutputStream out, Exchange exchange) {
    this.out = out;
    this.exchange = exchange;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException | RuntimeException e) {
      exchange.streamFailed(e);
      throw e;
    }
    exchange.activity().addTx(1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException | RuntimeException e) {
      exchange.streamFailed(e);
      throw e;
    }
    if (len > 0) {
      exchange.activity().addTx(len);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException | RuntimeException e) {
      exchange.streamFailed(e);
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (IOException | RuntimeException e) {
      exchange.streamFailed(e);
      throw e;
    }
    exchange.streamClosed();
  }
}
