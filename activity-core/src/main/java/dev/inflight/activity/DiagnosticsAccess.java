package dev.inflight.activity;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a request may read the diagnostics endpoints: the one access rule every adapter
 * shares. It is a pure function of the remote address the container reports and a few request
 * headers, and it fails closed:
 *
 * <ol>
 *   <li>the remote address must be loopback ({@code 127.0.0.0/8}, {@code ::1}, or IPv4-mapped
 *       loopback); an address that cannot be parsed as a literal is remote;
 *   <li>the local address, the one the connection arrived on, must be loopback too, when the
 *       adapter knows it. A container set up to take the client's address from forwarding headers
 *       (Tomcat's {@code RemoteIpValve}, Spring's {@code ForwardedHeaderFilter}) rewrites the
 *       remote address and may remove those headers before any filter runs, so a remote peer
 *       claiming {@code X-Forwarded-For: 127.0.0.1} would otherwise pass as loopback; the address
 *       it connected to is not rewritten, and a connection to a loopback address can only come from
 *       the machine itself;
 *   <li>a request carrying {@code Forwarded}, {@code X-Forwarded-For} or {@code X-Real-IP} came
 *       through a proxy and is refused even from loopback;
 *   <li>a {@code Host} header must name a loopback host ({@code localhost} or a loopback address,
 *       any port), which defeats DNS rebinding; a missing {@code Host} is allowed;
 *   <li>an {@code Origin} header, if present, must be an http(s) origin on a loopback host.
 * </ol>
 *
 * <p>No name is ever resolved through DNS.
 */
public final class DiagnosticsAccess {

  private DiagnosticsAccess() {}

  /** Looks up a request header by name, case-insensitively, as containers do. */
  @FunctionalInterface
  public interface Headers {
    /**
     * The first value of a header.
     *
     * @param name the header name
     * @return its value, or null if the request does not carry it
     */
    @Nullable String get(String name);
  }

  /** The outcome: allowed, or the first rule that refused. */
  public enum Decision {
    /** A local, direct request. */
    ALLOWED,
    /** The remote address is not loopback. */
    REMOTE_ADDRESS,
    /** The connection arrived on an address that is not loopback. */
    LOCAL_ADDRESS,
    /** A forwarding header shows the request came through a proxy. */
    FORWARDED,
    /** The Host header names a host that is not loopback. */
    FOREIGN_HOST,
    /** The Origin header names a site that is not loopback. */
    FOREIGN_ORIGIN;

    /**
     * Whether the request may proceed.
     *
     * @return true only for {@link #ALLOWED}
     */
    public boolean allowed() {
      return this == ALLOWED;
    }
  }

  /**
   * Applies the rules in order.
   *
   * @param remoteAddress the peer address the container reports (e.g. {@code getRemoteAddr()}), or
   *     null if unknown
   * @param headers the request headers
   * @return the decision
   */
  public static Decision decide(@Nullable String remoteAddress, Headers headers) {
    return decide(remoteAddress, null, headers);
  }

  /**
   * Applies the rules in order, the local address included.
   *
   * @param remoteAddress the peer address the container reports (e.g. {@code getRemoteAddr()}), or
   *     null if unknown
   * @param localAddress the address the connection arrived on (e.g. {@code getLocalAddr()}), or
   *     null if the adapter cannot tell (then only the remote address is checked)
   * @param headers the request headers
   * @return the decision
   */
  public static Decision decide(
      @Nullable String remoteAddress, @Nullable String localAddress, Headers headers) {
    if (remoteAddress == null || !isLoopbackAddress(remoteAddress)) {
      return Decision.REMOTE_ADDRESS;
    }
    if (localAddress != null && !isLoopbackAddress(localAddress)) {
      return Decision.LOCAL_ADDRESS;
    }
    if (headers.get("Forwarded") != null
        || headers.get("X-Forwarded-For") != null
        || headers.get("X-Real-IP") != null) {
      return Decision.FORWARDED;
    }
    String host = headers.get("Host");
    if (host != null && !isLoopbackHost(host)) {
      return Decision.FOREIGN_HOST;
    }
    String origin = headers.get("Origin");
    if (origin != null && !isLoopbackOrigin(origin)) {
      return Decision.FOREIGN_ORIGIN;
    }
    return Decision.ALLOWED;
  }

  /**
   * Whether an address literal is loopback. Accepts {@code 127.x.x.x}, {@code ::1} in any IPv6
   * spelling, IPv4-mapped {@code ::ffff:127.x.x.x}, with or without brackets or a zone id.
   *
   * @param address an IP address literal
   * @return true for a loopback literal, false for anything else (including host names)
   */
  public static boolean isLoopbackAddress(String address) {
    String a = address.trim();
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    int zone = a.indexOf('%');
    if (zone >= 0) {
      a = a.substring(0, zone);
    }
    if (a.indexOf(':') < 0) {
      return isLoopbackIpv4(a);
    }
    for (int i = 0; i < a.length(); i++) {
      char c = a.charAt(i);
      boolean ok = c == ':' || c == '.' || Character.digit(c, 16) >= 0;
      if (!ok) {
        return false;
      }
    }
    try {
      // With a colon and only hex digits, dots and colons this is an IPv6 literal: no DNS.
      InetAddress parsed = InetAddress.getByName(a);
      return parsed.isLoopbackAddress();
    } catch (UnknownHostException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Whether a {@code Host} header value names a loopback host: {@code localhost} or a loopback
   * address literal, with an optional port.
   *
   * @param host the header value, e.g. {@code localhost:8000} or {@code [::1]:8000}
   * @return true if it is loopback
   */
  public static boolean isLoopbackHost(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      if (close < 0 || !validPortSuffix(h, close + 1)) {
        return false;
      }
      return isLoopbackAddress(h.substring(0, close + 1));
    }
    int colon = h.indexOf(':');
    if (colon >= 0) {
      if (!validPortSuffix(h, colon)) {
        return false;
      }
      h = h.substring(0, colon);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h.equals("localhost") || isLoopbackIpv4(h);
  }

  private static boolean isLoopbackOrigin(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    String rest;
    if (o.startsWith("http://")) {
      rest = o.substring(7);
    } else if (o.startsWith("https://")) {
      rest = o.substring(8);
    } else {
      return false; // includes the opaque origin "null"
    }
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    return !rest.isEmpty() && rest.indexOf('/') < 0 && isLoopbackHost(rest);
  }

  /** True if {@code s} ends at {@code from}, or continues with ':' and 1-5 digits only. */
  private static boolean validPortSuffix(String s, int from) {
    if (from == s.length()) {
      return true;
    }
    if (s.charAt(from) != ':' || s.length() - from - 1 < 1 || s.length() - from - 1 > 5) {
      return false;
    }
    for (int i = from + 1; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLoopbackIpv4(String a) {
    String[] parts = a.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3) {
        return false;
      }
      for (int i = 0; i < p.length(); i++) {
        if (p.charAt(i) < '0' || p.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return Integer.parseInt(parts[0]) == 127;
  }
}
