package dev.inflight.activity;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One request's share of a tracked backend connection: count bytes through it, then close it.
 *
 * <p>Obtained from {@link ActivityTracker#open} (or a {@link RequestActivity}). Typical use:
 *
 * <pre>{@code
 * try (ActivityHandle h = tracker.open("openai.1", sessionId, ConnectionType.STREAMING, "gpt-4")) {
 *   InputStream body = ActivityStreams.countRx(backendBody, h); // bytes from the backend
 *   OutputStream out = ActivityStreams.countTx(clientOut, h);   // bytes to the client
 *   body.transferTo(out);
 * }
 * }</pre>
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>{@link #addRx} and {@link #addTx} may be called from any thread, concurrently; they never
 *       block, never allocate, and never read the clock (except once, for the first byte sent to
 *       the client).
 *   <li>{@link #end} and {@link #close} may be called any number of times, from any thread; only
 *       the first call has an effect.
 *   <li>Calls after the handle (or its row) ended are no-ops: they never resurrect a row and never
 *       count bytes twice.
 * </ol>
 */
public interface ActivityHandle extends AutoCloseable {

  /**
   * Counts bytes received from the backend.
   *
   * @param bytes the number of bytes, zero or more
   * @throws IllegalArgumentException if {@code bytes} is negative
   */
  void addRx(long bytes);

  /**
   * Counts a chunk received from the backend as RX, like {@link #addRx(long)} with its length, and
   * lets the tracker read it on a streaming row: a chunk that holds only server-sent-event comments
   * (keep-alive pings such as {@code ": ping"}, or Anthropic's {@code event: ping} block) is RX but
   * not progress for the stall mark, and a stream whose last event ({@code data: [DONE]},
   * Anthropic's {@code message_stop}) arrived ends {@link EndReason#COMPLETED} even if its client
   * or backend connection then closes. The bytes are read in place and never kept: every line until
   * the row's first content and, when the tracker {@link ActivitySettings#countEvents() counts
   * events}, always; otherwise a few bytes of each chunk (all of a comment's). Call it with one
   * stream's chunks in order, from one thread at a time.
   *
   * @param chunk the bytes received
   * @param offset where they start in {@code chunk}
   * @param length how many there are
   * @throws IndexOutOfBoundsException if the range is not within {@code chunk}
   */
  default void addRx(byte[] chunk, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, chunk.length);
    addRx(length);
  }

  /**
   * Like {@link #addRx(byte[], int, int)} for the bytes from {@code chunk}'s position to its limit,
   * which are read with absolute gets: the buffer's position, limit and mark are left as they are.
   *
   * @param chunk the bytes received
   */
  default void addRx(ByteBuffer chunk) {
    addRx(chunk.remaining());
  }

  /**
   * Counts bytes sent to the client.
   *
   * @param bytes the number of bytes, zero or more
   * @throws IllegalArgumentException if {@code bytes} is negative
   */
  void addTx(long bytes);

  /**
   * Counts a chunk sent to the client as TX, like {@link #addTx(long)} with its length, and on a
   * streaming row of a tracker that {@link ActivitySettings#countEvents() counts events} counts the
   * server-sent events it completes ({@link ConnectionSnapshot#eventsTx()}). The bytes are read in
   * place and never kept. Call it with one response's chunks in order, from one thread at a time,
   * once the chunk counts as sent.
   *
   * @param chunk the bytes sent
   * @param offset where they start in {@code chunk}
   * @param length how many there are
   * @throws IndexOutOfBoundsException if the range is not within {@code chunk}
   */
  default void addTx(byte[] chunk, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, chunk.length);
    addTx(length);
  }

  /**
   * Like {@link #addTx(byte[], int, int)} for the bytes from {@code chunk}'s position to its limit,
   * read with absolute gets: the buffer's position, limit and mark are left as they are.
   *
   * @param chunk the bytes sent
   */
  default void addTx(ByteBuffer chunk) {
    addTx(chunk.remaining());
  }

  /**
   * Reads a chunk sent to the client for the server-sent events it completes, without counting its
   * bytes: for adapters that count TX bytes elsewhere (when the container commits them, or when the
   * connection wrote them) but have the bytes only now. A no-op unless the row streams and the
   * tracker {@link ActivitySettings#countEvents() counts events}. Same order and threading rules as
   * {@link #addTx(byte[], int, int)}.
   *
   * @param chunk the bytes sent
   * @param offset where they start in {@code chunk}
   * @param length how many there are
   * @throws IndexOutOfBoundsException if the range is not within {@code chunk}
   */
  default void countTxEvents(byte[] chunk, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, chunk.length);
  }

  /**
   * Like {@link #countTxEvents(byte[], int, int)} for the bytes from {@code chunk}'s position to
   * its limit, read with absolute gets.
   *
   * @param chunk the bytes sent
   */
  default void countTxEvents(ByteBuffer chunk) {}

  /**
   * Ends this request's share of the connection with the given reason. The row disappears when its
   * last request ends. Only the first call has an effect.
   *
   * @param reason why the request ended
   */
  void end(EndReason reason);

  /** Ends the request as {@link EndReason#COMPLETED}, unless it already ended. */
  @Override
  default void close() {
    end(EndReason.COMPLETED);
  }

  /**
   * Whether this handle still counts bytes: false once it ended, or its row was evicted, or it
   * belongs to a disabled tracker.
   *
   * @return true while bytes added through this handle are counted
   */
  boolean isOpen();

  /**
   * The shared handle that counts nothing, used by disabled trackers.
   *
   * @return a stateless no-op handle
   */
  static ActivityHandle noop() {
    return NoopHandle.INSTANCE;
  }
}

enum NoopHandle implements ActivityHandle {
  INSTANCE;

  @Override
  public void addRx(long bytes) {}

  @Override
  public void addTx(long bytes) {}

  @Override
  public void end(EndReason reason) {}

  @Override
  public void close() {}

  @Override
  public boolean isOpen() {
    return false;
  }
}
