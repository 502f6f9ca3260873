package dev.inflight.activity.jaxrs;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The servlet filter in front of the test application: it publishes the request it passes on in
 * {@link #CURRENT} (the request-scoped source a {@link RemoteAddress} or {@link LocalAddress}
 * reads, as a runtime's own injection would), and, when asked to, first rewrites it the way
 * Spring's {@code ForwardedHeaderFilter} and remote-IP valves do: the remote address becomes the
 * client the forwarding headers name, and the headers are removed.
 */
final class FrontFilter implements Filter {

  /** The request being served on this thread, as the application sees it. */
  static final ThreadLocal<HttpServletRequest> CURRENT = new ThreadLocal<>();

  private static final Set<String> FORWARDING =
      Set.of("forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip");

  private final boolean strip;
  private final boolean rewrite;

  /** The remote address of the request being served on this thread, or null outside one. */
  static @Nullable String remoteAddress() {
    HttpServletRequest r = CURRENT.get();
    return r == null ? null : r.getRemoteAddr();
  }

  /** The local address of the request being served on this thread, or null outside one. */
  static @Nullable String localAddress() {
    HttpServletRequest r = CURRENT.get();
    return r == null ? null : r.getLocalAddr();
  }

  /**
   * A front filter.
   *
   * @param strip whether the forwarding headers are removed
   * @param rewrite whether the remote address becomes the client they name (before removal)
   */
  FrontFilter(boolean strip, boolean rewrite) {
    this.strip = strip;
    this.rewrite = rewrite;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    HttpServletRequest passed = strip ? new Rewritten(http, rewrite) : http;
    CURRENT.set(passed);
    try {
      chain.doFilter(passed, response);
    } finally {
      CURRENT.remove();
    }
  }

  private static final class Rewritten extends HttpServletRequestWrapper {
    private final String client;

    Rewritten(HttpServletRequest request, boolean rewrite) {
      super(request);
      this.client = rewrite ? claimedClient(request) : request.getRemoteAddr();
    }

    private static String claimedClient(HttpServletRequest request) {
      String xff = request.getHeader("X-Forwarded-For");
      if (xff != null) {
        return xff.split(",")[0].trim();
      }
      String forwarded = request.getHeader("Forwarded");
      if (forwarded != null) {
        for (String part : forwarded.split("[;,]")) {
          String p = part.trim();
          if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
            return p.substring(4).replace("\"", "");
          }
        }
      }
      return request.getRemoteAddr();
    }

    @Override
    public String getRemoteAddr() {
      return client;
    }

    @Override
    public String getRemoteHost() {
      return client;
    }

    @Override
    public @Nullable String getHeader(String name) {
      return FORWARDING.contains(name.toLowerCase(Locale.ROOT)) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return FORWARDING.contains(name.toLowerCase(Locale.ROOT))
          ? Collections.emptyEnumeration()
          : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      List<String> names = Collections.list(super.getHeaderNames());
      names.removeIf(n -> FORWARDING.contains(n.toLowerCase(Locale.ROOT)));
      return Collections.enumeration(names);
    }
  }
}
