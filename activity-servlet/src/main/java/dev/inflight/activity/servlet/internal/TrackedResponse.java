package dev.inflight.activity.servlet.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;

/**
 * The response as the application sees it while it is tracked: its output stream and writer count
 * what is written. Both come from the container first, so the container's own rules (e.g. {@code
 * getWriter()} after {@code getOutputStream()} throws) apply unchanged.
 */
final class TrackedResponse extends HttpServletResponseWrapper {

  private final TrackedExchange exchange;
  private volatile @Nullable CountingServletOutputStream out;
  private volatile @Nullable CountingPrintWriter writer;

  TrackedResponse(HttpServletResponse response, TrackedExchange exchange) {
    super(response);
    this.exchange = exchange;
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    ServletOutputStream stream = super.getOutputStream();
    CountingServletOutputStream counting = out;
    if (counting == null || !counting.wraps(stream)) {
      counting = new CountingServletOutputStream(stream, exchange);
      out = counting;
    }
    return counting;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    PrintWriter container = super.getWriter();
    CountingPrintWriter counting = writer;
    if (counting == null || !counting.wraps(container)) {
      // The container fixed the charset when it handed out its writer.
      counting =
          new CountingPrintWriter(
              container, EncodedLength.forCharset(getCharacterEncoding()), exchange);
      writer = counting;
    }
    return counting;
  }

  @Override
  public void flushBuffer() throws IOException {
    try {
      super.flushBuffer();
    } catch (IOException e) {
      exchange.clientGone(e);
      throw e;
    }
  }

  /**
   * Whether the container's writer hit an error, which a {@code PrintWriter} never throws. Only
   * asked once the response is committed, when the flush this implies changes nothing the client
   * can see.
   */
  boolean writerFailed() {
    CountingPrintWriter w = writer;
    try {
      return w != null && isCommitted() && w.containerError();
    } catch (RuntimeException e) {
      return false;
    }
  }
}
