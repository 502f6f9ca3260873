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
   * Creates the holder for a port that must differ from the application's, so that the
   * application's port never serves the diagnostics.
   *
   * @param requested the configured {@code inflight.activity.diagnostics.port}, 0 for a free one
   * @param serverPort the configured {@code server.port}, null when unset (Boot's default 8080)
   * @return the holder
   * @throws IllegalStateException naming both properties if they ask for the same port
   */
  public static DiagnosticsPort distinctFrom(int requested, @Nullable Integer serverPort) {
    int application = serverPort == null ? 8080 : serverPort;
    if (requested != 0 && requested == application) {
      throw new IllegalStateException(
          "inflight.activity.diagnostics.port ("
              + requested
              + ") is the application's port (server.port"
              + (serverPort == null ? " unset, Boot's default " : " ")
              + application
              + "); the diagnostics listener needs a port of its own, or leave the property"
              + " unset to serve them on the application's port");
    }
    return new DiagnosticsPort(requested);
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
