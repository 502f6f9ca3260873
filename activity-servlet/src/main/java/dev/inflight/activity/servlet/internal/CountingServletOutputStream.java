package dev.inflight.activity.servlet.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.internal.CountTarget;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The container's output stream, counting what each successful write hands to it (through {@link
 * TrackedResponse#admit} and {@link TrackedResponse#sent}); a write, flush or close that throws is
 * recorded with {@link RequestActivity#clientWriteFailed}. No buffering of its own: {@code flush()}
 * reaches the container at once, and {@code isReady()} and {@code setWriteListener()} are the
 * container's. {@code print} and {@code println} are {@link ServletOutputStream}'s own, which end
 * in these writes.
 */
final class CountingServletOutputStream extends ServletOutputStream {

  private final ServletOutputStream out;
  private final TrackedResponse response;
  private final RequestActivity activity;

  /** Whether the tracker counts events: each write's bytes are then read for them. */
  private final boolean events;

  /**
   * Whether every byte written from now on is counted as it is written ({@link
   * TrackedResponse#countsEveryByte()}, which stays true once it is): writes then skip the
   * response's bookkeeping and count into the request's row directly, and a flush counts nothing.
   */
  private boolean direct;

  /** Where the last write counted, as {@link CountTarget#now} chose it. */
  private @Nullable ActivityHandle row;

  CountingServletOutputStream(
      ServletOutputStream out, TrackedResponse response, RequestActivity activity) {
    this.out = out;
    this.response = response;
    this.activity = activity;
    this.events = activity.countsEvents();
  }

  /** Where to count now (see {@link CountTarget}). */
  private ActivityHandle target() {
    ActivityHandle last = row;
    ActivityHandle h = CountTarget.now(activity, last);
    if (h != last) {
      row = h; // only on a change: no store per write
    }
    return h;
  }

  boolean wraps(ServletOutputStream stream) {
    return out == stream;
  }

  @Override
  public void write(int b) throws IOException {
    if (direct) {
      try {
        out.write(b);
      } catch (IOException e) {
        throw activity.clientWriteFailed(e);
      }
      target().addTx(1);
      return;
    }
    long counted = response.admit(1);
    try {
      out.write(b);
    } catch (IOException e) {
      throw activity.clientWriteFailed(e);
    }
    response.sent(counted);
    direct = response.countsEveryByte();
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (direct) {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw activity.clientWriteFailed(e);
      }
      if (len > 0) {
        ActivityHandle h = target();
        h.addTx(len);
        if (events) {
          h.countTxEvents(b, off, len);
        }
      }
      return;
    }
    long counted = response.admit(len);
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw activity.clientWriteFailed(e);
    }
    response.sent(counted);
    if (events && counted > 0) {
      // read now, while the bytes are at hand; they count as TX when the container commits them
      activity.countTxEvents(b, off, (int) counted);
    }
    direct = response.countsEveryByte();
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      throw activity.clientWriteFailed(e);
    }
    if (!direct) {
      response.sent(0);
      direct = response.countsEveryByte();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (IOException e) {
      throw activity.clientWriteFailed(e);
    }
    response.sent(0);
  }

  @Override
  public boolean isReady() {
    return out.isReady();
  }

  @Override
  public void setWriteListener(WriteListener listener) {
    out.setWriteListener(
        new WriteListener() {
          @Override
          public void onWritePossible() throws IOException {
            listener.onWritePossible();
          }

          @Override
          public void onError(Throwable t) {
            listener.onError(activity.clientWriteFailed(t));
          }
        });
  }

  @Override
  public String toString() {
    return "CountingServletOutputStream{" + out + "}";
  }
}
