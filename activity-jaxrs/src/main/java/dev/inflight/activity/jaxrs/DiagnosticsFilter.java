package dev.inflight.activity.jaxrs;

import dev.inflight.activity.jaxrs.internal.DiagnosticsResponses;
import dev.inflight.activity.json.DiagnosticsBuilder;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Serves {@code /v1/diagnostics} and {@code /v1/diagnostics/activity} from a Jakarta REST
 * application, with the same JSON and the same access rule as every other adapter: it delegates to
 * {@link DiagnosticsEndpoint} (loopback only, forwarding headers mean remote, loopback {@code Host}
 * and {@code Origin}, GET and HEAD only, a generic 403 JSON body).
 *
 * <pre>{@code
 * resourceConfig.register(DiagnosticsFilter.builder()
 *     .tracker(tracker)
 *     .backends(directory)
 *     .remoteAddress(() -> grizzlyRequest.get().getRemoteAddr())
 *     .localAddress(() -> grizzlyRequest.get().getLocalAddr())
 *     .build());
 * }</pre>
 *
 * <p>It is a pre-matching request filter rather than a resource: it answers the two paths for every
 * HTTP method before the runtime matches resources, so that any method but GET and HEAD gets the
 * endpoint's 405 with its JSON body and headers rather than the runtime's own, without declaring
 * one resource method per verb. Requests to other paths pass through untouched.
 *
 * <p>Jakarta REST has no portable remote address, so this class asks a {@link RemoteAddress} for
 * it; an unknown address is refused. It asks a {@link LocalAddress}, if one is given, for the
 * address the connection arrived on, and refuses a request that arrived on a non-loopback address
 * whatever its remote address says; <b>without a {@link LocalAddress} only the remote address is
 * checked</b>, so a forwarded-header rewrite in front of this filter that makes a remote peer look
 * like {@code 127.0.0.1} and removes the headers would pass. On a servlet container use {@link
 * ServletDiagnosticsFilter} instead, which needs no address source and checks both. Register an
 * instance (a singleton): it is stateless and thread-safe.
 */
@Provider
@PreMatching
public final class DiagnosticsFilter implements ContainerRequestFilter {

  private final DiagnosticsEndpoint endpoint;
  private final RemoteAddress remoteAddress;
  private final LocalAddress localAddress;

  private DiagnosticsFilter(
      DiagnosticsEndpoint endpoint, RemoteAddress remoteAddress, LocalAddress localAddress) {
    this.endpoint = endpoint;
    this.remoteAddress = remoteAddress;
    this.localAddress = localAddress;
  }

  /**
   * Starts a builder; {@link Builder#remoteAddress} must be set.
   *
   * @return a builder with the defaults of {@link DiagnosticsBuilder}
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void filter(ContainerRequestContext request) {
    DiagnosticsResponses.filter(
        endpoint, request, remoteAddress::remoteAddress, localAddress::localAddress);
  }

  /** Builds a {@link DiagnosticsFilter}. */
  public static final class Builder extends DiagnosticsBuilder<Builder, DiagnosticsFilter> {
    private @Nullable RemoteAddress remoteAddress;
    private LocalAddress localAddress = () -> null;

    private Builder() {}

    /**
     * Where the peer address of each request comes from; required.
     *
     * @param remoteAddress supplies the peer address of the request being served
     * @return this builder
     */
    public Builder remoteAddress(RemoteAddress remoteAddress) {
      this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
      return this;
    }

    /**
     * Where the address each request arrived on comes from; optional. With it, a request that
     * arrived on a non-loopback address is refused whatever its remote address says; without it
     * (the default) only the remote address is checked.
     *
     * @param localAddress supplies the local address of the request being served
     * @return this builder
     */
    public Builder localAddress(LocalAddress localAddress) {
      this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
      return this;
    }

    /**
     * Builds the filter.
     *
     * @return the filter
     * @throws IllegalStateException if no {@link #remoteAddress} was given
     */
    @Override
    public DiagnosticsFilter build() {
      RemoteAddress address = remoteAddress;
      if (address == null) {
        throw new IllegalStateException(
            "remoteAddress is required (on a servlet container use ServletDiagnosticsFilter)");
      }
      return new DiagnosticsFilter(endpoint(), address, localAddress);
    }
  }
}
