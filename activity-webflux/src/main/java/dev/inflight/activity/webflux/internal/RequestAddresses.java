package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.DiagnosticsAccess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.netty.http.server.ConnectionInformation;

/**
 * The remote and local addresses a diagnostics request is judged on, read so that no
 * forwarded-header rewrite can make a remote peer look local.
 *
 * <p>{@code ServerHttpRequest} reports the addresses after any rewrite: Reactor Netty's {@code
 * forwarded(true)} replaces the remote address with the one the {@code Forwarded} or {@code
 * X-Forwarded-For} header names, and the local address with the one its {@code host=} or {@code
 * X-Forwarded-Host} names; a {@code ForwardedHeaderTransformer} may then remove the headers. So on
 * Reactor Netty the connection's own addresses are read too, and for each of the two the
 * non-loopback one wins: a request passes only if every address the server knows for it is
 * loopback. On other servers the request's addresses are used as reported.
 */
public final class RequestAddresses {

  private static final boolean REACTOR_NETTY =
      present("reactor.netty.http.server.ConnectionInformation");

  private RequestAddresses() {}

  /**
   * The remote address to judge.
   *
   * @param request the request
   * @return the connection's peer if it is not loopback, else the peer the request reports; null if
   *     the request reports none (refused)
   */
  public static @Nullable String remote(ServerHttpRequest request) {
    String reported = literal(request.getRemoteAddress());
    if (reported == null) {
      return null;
    }
    ConnectionInformation connection = connection(request);
    return stricter(
        reported, connection == null ? null : literal(connection.connectionRemoteAddress()));
  }

  /**
   * The local address to judge.
   *
   * @param request the request
   * @return the address the connection arrived on if it is not loopback or the request reports
   *     none, else the one the request reports; null if neither is known
   */
  public static @Nullable String local(ServerHttpRequest request) {
    String reported = literal(request.getLocalAddress());
    ConnectionInformation connection = connection(request);
    String actual = connection == null ? null : literal(connection.connectionHostAddress());
    return reported == null ? actual : stricter(reported, actual);
  }

  private static String stricter(String reported, @Nullable String actual) {
    return actual != null && !DiagnosticsAccess.isLoopbackAddress(actual) ? actual : reported;
  }

  private static @Nullable ConnectionInformation connection(ServerHttpRequest request) {
    if (!REACTOR_NETTY) {
      return null;
    }
    Object nativeRequest;
    try {
      nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
    } catch (RuntimeException e) {
      // a request with no server beneath it (a mock): only its own addresses are known
      return null;
    }
    return nativeRequest instanceof ConnectionInformation info ? info : null;
  }

  /** A socket address's literal IP; null if unknown, unresolved or not an IP socket. */
  private static @Nullable String literal(@Nullable SocketAddress socket) {
    InetAddress address = socket instanceof InetSocketAddress inet ? inet.getAddress() : null;
    return address == null ? null : address.getHostAddress();
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, RequestAddresses.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
