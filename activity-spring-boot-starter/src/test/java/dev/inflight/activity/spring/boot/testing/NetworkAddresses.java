package dev.inflight.activity.spring.boot.testing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** This machine's addresses, for tests that reach a server as a remote peer would. */
public final class NetworkAddresses {

  private NetworkAddresses() {}

  /**
   * The first IPv4 address of the first interface that is up and not loopback: a client that
   * connects to it arrives with a non-loopback peer address and on a non-loopback local address.
   *
   * @return the address
   * @throws AssertionError if the machine has none: the tests that need it fail rather than skip
   */
  public static InetAddress nonLoopbackIpv4() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp() && !nic.isLoopback()) {
          for (InetAddress a : Collections.list(nic.getInetAddresses())) {
            if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
              return a;
            }
          }
        }
      }
    } catch (SocketException e) {
      throw new AssertionError("could not list this machine's network interfaces", e);
    }
    throw new AssertionError(
        "this test needs a non-loopback IPv4 address on an interface that is up (none found):"
            + " it reaches the server as a remote peer would");
  }
}
