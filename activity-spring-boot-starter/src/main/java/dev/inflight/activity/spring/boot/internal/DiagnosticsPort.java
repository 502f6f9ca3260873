package dev.inflight.activity.spring.boot.internal;

import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The diagnostics listener of its own ({@code inflight.activity.diagnostics.port}): the port it was
 * asked for and, once the server listens, the port it got (the same unless 0 asked for a free one).
 * Requests that arrived on it are told apart by the local port of their connection.
 */
public final class DiagnosticsPort {

  /** Where the listener binds: loopback only. */
  public static final String ADDRESS = "127.0.0.1";

  private final int requested;
  private volatile @Nullable IntSupplier bound;

  /**
   * Creates the holder.
   *
   * @param requested the configured port, 0 for a free one
   */
  public DiagnosticsPort(int requested) {
    this.requested = requested;
  }

  /**
   * The configured port.
   *
   * @return the port, 0 for a free one
   */
  public int requested() {
    return requested;
  }

  /**
   * Records how to read the port the listener got, once it listens.
   *
   * @param port reads the bound port
   */
  public void bound(IntSupplier port) {
    this.bound = port;
  }

  /**
   * The port the listener listens on.
   *
   * @return the port, or -1 before it listens
   */
  public int port() {
    IntSupplier b = bound;
    int p = b == null ? -1 : b.getAsInt();
    return p > 0 ? p : -1;
  }

  /**
   * Whether a connection's local port is the diagnostics listener's.
   *
   * @param localPort the local port of the request's connection
   * @return true if it arrived on the diagnostics listener
   */
  public boolean isDiagnosticsPort(int localPort) {
    return localPort > 0 && localPort == port();
  }

  @Override
  public String toString() {
    return "DiagnosticsPort[" + ADDRESS + ":" + (port() > 0 ? port() : requested) + "]";
  }
}
