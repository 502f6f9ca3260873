package dev.inflight.activity.servlet.internal;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.jspecify.annotations.Nullable;

/**
 * The response as the application sees it while it is tracked, counting exactly the bytes the
 * client can receive:
 *
 * <ol>
 *   <li>{@code getWriter()} encodes into the counting output stream itself, with the response's
 *       charset at that moment (then fixed, as the container fixes it), so text is counted as the
 *       bytes handed to the container, not estimated.
 *   <li>Bytes stay in the container's buffer until the response is committed; they are counted
 *       then, and a {@code resetBuffer()}, {@code reset()} or {@code sendError()} before that drops
 *       them, as the container does.
 *   <li>Bytes past the declared {@code Content-Length}, which containers refuse or drop, are not
 *       counted, and the request is recorded as {@link EndReason#ERRORED}.
 *   <li>The body of a {@code HEAD} request is not sent, so not counted.
 * </ol>
 *
 * <p>Written by one thread at a time, as the Servlet specification requires of the application.
 */
final class TrackedResponse extends HttpServletResponseWrapper {

  private static final String CONTENT_LENGTH = "Content-Length";

  private static final AtomicLongFieldUpdater<TrackedResponse> HELD =
      AtomicLongFieldUpdater.newUpdater(TrackedResponse.class, "held");

  private final RequestActivity activity;
  private final boolean head;
  private final TrackedExchange exchange;

  /**
   * Bytes handed to the container before the response was committed, counted once it is. A field
   * with an updater rather than an {@code AtomicLong}: one object and one cache line fewer per
   * request.
   */
  @SuppressWarnings("UnusedVariable") // read and written through HELD
  private volatile long held;

  private volatile boolean committed;
  private volatile boolean streamUsed;
  private volatile @Nullable CountingServletOutputStream out;
  private volatile @Nullable PrintWriter writer;
  private volatile @Nullable String writerCharset;
  private long declared = -1;
  private long written;

  TrackedResponse(
      HttpServletResponse response,
      RequestActivity activity,
      boolean head,
      TrackedExchange exchange) {
    super(response);
    this.activity = activity;
    this.head = head;
    this.exchange = exchange;
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (writer != null) {
      throw new IllegalStateException("getWriter() has already been called for this response");
    }
    streamUsed = true;
    return counting();
  }

  private CountingServletOutputStream counting() throws IOException {
    ServletOutputStream stream = super.getOutputStream();
    CountingServletOutputStream counting = out;
    if (counting == null || !counting.wraps(stream)) {
      counting = new CountingServletOutputStream(stream, this, activity);
      out = counting;
    }
    return counting;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    PrintWriter w = writer;
    if (w != null) {
      return w;
    }
    if (streamUsed) {
      return super.getWriter(); // the container refuses, in its own words
    }
    String name = getCharacterEncoding();
    Charset charset;
    try {
      charset = Charset.forName(name);
    } catch (IllegalArgumentException e) {
      throw (UnsupportedEncodingException) new UnsupportedEncodingException(name).initCause(e);
    }
    super.setCharacterEncoding(name); // what the container's getWriter() does: the charset is fixed
    w = new PrintWriter(new EncodingWriter(counting(), charset));
    writerCharset = name;
    writer = w;
    return w;
  }

  /** Ignored once the writer was obtained, as the specification says. */
  @Override
  public void setCharacterEncoding(String charset) {
    if (writer == null) {
      super.setCharacterEncoding(charset);
    }
  }

  /** Once the writer was obtained, a charset in {@code type} is ignored, as the spec says. */
  @Override
  public void setContentType(String type) {
    super.setContentType(type);
    String fixed = writerCharset;
    if (fixed != null && type != null) {
      super.setCharacterEncoding(fixed);
    }
  }

  @Override
  public void setContentLength(int len) {
    super.setContentLength(len);
    declare(len);
  }

  @Override
  public void setContentLengthLong(long len) {
    super.setContentLengthLong(len);
    declare(len);
  }

  @Override
  public void setHeader(String name, @Nullable String value) {
    super.setHeader(name, value);
    header(name, value);
  }

  @Override
  public void addHeader(String name, @Nullable String value) {
    super.addHeader(name, value);
    header(name, value);
  }

  @Override
  public void setIntHeader(String name, int value) {
    super.setIntHeader(name, value);
    header(name, Integer.toString(value));
  }

  @Override
  public void addIntHeader(String name, int value) {
    super.addIntHeader(name, value);
    header(name, Integer.toString(value));
  }

  private void header(String name, @Nullable String value) {
    if (CONTENT_LENGTH.equalsIgnoreCase(name)) {
      try {
        declare(value == null ? -1 : Long.parseLong(value.trim()));
      } catch (NumberFormatException e) {
        declare(-1);
      }
    }
  }

  private void declare(long len) {
    if (!isCommitted()) {
      declared = len;
    }
  }

  @Override
  public void resetBuffer() {
    super.resetBuffer(); // throws once committed: then nothing was discarded
    discard();
  }

  @Override
  public void reset() {
    super.reset();
    discard();
    declared = -1;
    streamUsed = false;
    writer = null;
    writerCharset = null;
  }

  @Override
  public void sendError(int sc, @Nullable String msg) throws IOException {
    exchange.publish(); // the container dispatches to its error page
    super.sendError(sc, msg);
    discard(); // the error page replaces the buffered body
  }

  @Override
  public void sendError(int sc) throws IOException {
    exchange.publish(); // the container dispatches to its error page
    super.sendError(sc);
    discard();
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    super.sendRedirect(location);
    discard();
  }

  @Override
  public void flushBuffer() throws IOException {
    try {
      super.flushBuffer();
    } catch (IOException e) {
      throw activity.clientWriteFailed(e);
    }
    sent(0);
  }

  /**
   * Called before a write of {@code len} bytes reaches the container.
   *
   * @return how many of them the client can receive: none for {@code HEAD}, fewer past the declared
   *     {@code Content-Length} (then the request is recorded as errored)
   */
  long admit(long len) {
    long before = written;
    written = before + len;
    long limit = declared;
    if (head) {
      return 0;
    }
    if (limit < 0 || before + len <= limit) {
      return len;
    }
    activity.fail(EndReason.ERRORED); // containers refuse or drop what goes past Content-Length
    return Math.max(0, limit - before);
  }

  /**
   * Whether every byte written from now on reaches the client and is counted as written: the
   * response is committed (nothing is held in the container's buffer any more), declares no {@code
   * Content-Length} (a declared length cannot change once committed) and is not the answer to a
   * {@code HEAD}. Once true, it stays true, and {@link #admit} and {@link #sent} would count every
   * byte as it comes, so the counting stream does that itself.
   */
  boolean countsEveryByte() {
    return committed && declared < 0 && !head;
  }

  /** Called after the container accepted a write (or flush) of which {@code bytes} count. */
  void sent(long bytes) {
    if (committed) {
      activity.addTx(bytes);
      return;
    }
    HELD.addAndGet(this, bytes);
    if (isCommitted()) {
      committed = true;
      activity.addTx(HELD.getAndSet(this, 0));
    }
  }

  /**
   * Settles the bytes still in the container's buffer when the request ends.
   *
   * @param delivered whether the container sends them (a normal end), or else discards them unless
   *     the response is committed already (an exception, an error page, a timeout)
   */
  void settle(boolean delivered) {
    long bytes = HELD.getAndSet(this, 0);
    if (bytes > 0 && (delivered || isCommitted())) {
      activity.addTx(bytes);
    }
  }

  private void discard() {
    held = 0;
    written = 0;
  }
}
