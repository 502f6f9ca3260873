package dev.inflight.activity.jaxrs;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** This machine's address that is not loopback: the one a real remote peer would reach. */
final class NonLoopback {
  private NonLoopback() {}

  /**
   * The first IPv4 address of the first interface that is up and not loopback.
   *
   * @throws AssertionError if the machine has none: the test cannot prove anything without one
   */
  static InetAddress address() {
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
}
