package dev.inflight.activity.servlet.testing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** The machine's own addresses, for tests that need a peer that is not loopback. */
public final class NetworkAddresses {

  private NetworkAddresses() {}

  /**
   * The first IPv4 address of the first interface that is up and not loopback. A client that
   * connects to it from this machine arrives from it, so the server sees a peer that is not
   * loopback, without a second machine.
   *
   * @return the address literal, e.g. {@code 192.0.2.2}
   * @throws IllegalStateException if the machine has no such address: a test that needs a remote
   *     peer cannot run, and must fail rather than pass without having tried
   */
  public static String nonLoopbackIpv4() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list the network interfaces", e);
    }
    throw new IllegalStateException(
        "this machine has no up, non-loopback IPv4 address: the tests that need a remote peer"
            + " connect to one of the machine's own addresses; give the machine a network"
            + " interface (a container's default network is enough)");
  }
}
