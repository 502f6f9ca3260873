package dev.inflight.activity.webflux.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import org.jspecify.annotations.Nullable;

/**
 * A remote peer as far as the server can tell: it connects to this machine's non-loopback address,
 * so the connection's remote and local addresses are both that address, and sends whatever header
 * lines it likes (a forged {@code Host} included), as a bare HTTP/1.1 request.
 */
public final class NonLoopbackPeer {

  private static final int READ_TIMEOUT_MILLIS = 10_000;

  private NonLoopbackPeer() {}

  /**
   * What the peer received.
   *
   * @param status the status code
   * @param raw the whole response, headers and body
   */
  public record Response(int status, String raw) {}

  /**
   * The first IPv4 address of the first interface that is up and not loopback.
   *
   * @return the address
   * @throws AssertionError if the machine has none: a peer reaching the server over loopback proves
   *     nothing
   */
  public static InetAddress address() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp() && !nic.isLoopback()) {
          for (InetAddress a : Collections.list(nic.getInetAddresses())) {
            if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
              return a;
            }
          }
        }
      }
    } catch (SocketException e) {
      throw new AssertionError("could not list this machine's network interfaces", e);
    }
    throw new AssertionError(
        "this test needs a non-loopback IPv4 address on an interface that is up, and this machine"
            + " has none: a peer that reaches the server over loopback proves nothing here");
  }

  /**
   * Sends one GET from the non-loopback address.
   *
   * @param port the server's port (listening on every interface)
   * @param path the path
   * @param headerLines header lines such as {@code Host: localhost}; a {@code Host} naming the
   *     non-loopback address is added if none is given
   * @return what the peer received
   * @throws IOException if the connection fails
   */
  public static Response get(int port, String path, String... headerLines) throws IOException {
    return send(null, port, path, headerLines);
  }

  /**
   * Sends one GET to the non-loopback address from a socket bound to 127.0.0.1: the server sees a
   * loopback peer on a connection that arrived on a non-loopback address of this machine.
   *
   * @param port the server's port (listening on every interface)
   * @param path the path
   * @param headerLines header lines, as for {@link #get}
   * @return what the peer received
   * @throws IOException if the connection fails
   */
  public static Response getFromLoopbackToNonLoopback(int port, String path, String... headerLines)
      throws IOException {
    return send(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port, path, headerLines);
  }

  private static Response send(
      @Nullable InetAddress source, int port, String path, String... headerLines)
      throws IOException {
    InetAddress address = address();
    try (Socket socket = new Socket()) {
      if (source != null) {
        socket.bind(new InetSocketAddress(source, 0));
      }
      socket.connect(new InetSocketAddress(address, port), READ_TIMEOUT_MILLIS);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
      boolean host = false;
      for (String h : headerLines) {
        request.append(h).append("\r\n");
        host |= h.regionMatches(true, 0, "host:", 0, 5);
      }
      if (!host) {
        request.append("Host: ").append(address.getHostAddress()).append(':').append(port);
        request.append("\r\n");
      }
      request.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Response(Integer.parseInt(raw.split(" ", 3)[1]), raw);
    }
  }
}
