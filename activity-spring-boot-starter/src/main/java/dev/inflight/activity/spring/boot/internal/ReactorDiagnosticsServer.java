package dev.inflight.activity.spring.boot.internal;

import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The diagnostics listener of its own in a reactive application: a Reactor Netty server bound to
 * {@value DiagnosticsPort#ADDRESS} that serves the diagnostics documents and the live page under
 * the configured path, and 404 for anything else. It reads no forwarding header into the addresses
 * it reports (no {@code forwarded(true)}), so the policy sees the connection as it is. Started and
 * stopped with the application context.
 */
public final class ReactorDiagnosticsServer implements SmartLifecycle {

  private final DiagnosticsPort port;
  private final String path;
  private final DiagnosticsEndpoint endpoint;
  private volatile @Nullable DisposableServer server;

  /**
   * Creates the server, not started.
   *
   * @param port the port, told the bound one once it listens
   * @param path where the full document is served, e.g. {@code /v1/diagnostics}
   * @param endpoint the shared endpoint
   */
  public ReactorDiagnosticsServer(DiagnosticsPort port, String path, DiagnosticsEndpoint endpoint) {
    this.port = port;
    this.path = path;
    this.endpoint = endpoint;
  }

  @Override
  public void start() {
    DisposableServer s =
        HttpServer.create()
            .host(DiagnosticsPort.ADDRESS)
            .port(port.requested())
            .handle(this::handle)
            .bindNow();
    server = s;
    port.bound(s::port);
  }

  private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    String uri = request.uri();
    int query = uri.indexOf('?');
    String requested = query < 0 ? uri : uri.substring(0, query);
    String rest;
    if (requested.equals(path)) {
      rest = "";
    } else if (requested.startsWith(path + "/")) {
      rest = requested.substring(path.length());
    } else {
      return response
          .status(404)
          .header("Content-Type", "application/json; charset=utf-8")
          .header("Cache-Control", "no-store")
          .sendString(Mono.just("{\"error\":\"not_found\",\"detail\":\"no such resource\"}"))
          .then();
    }
    DiagnosticsResponse r =
        endpoint.handle(
            request.method().name(),
            DiagnosticsEndpoint.DIAGNOSTICS_PATH + rest,
            literal(request.remoteAddress()),
            literal(request.hostAddress()),
            request.requestHeaders()::get);
    response.status(r.status());
    r.headers().forEach(response::header);
    response.header("Content-Length", Integer.toString(r.body().length));
    if ("HEAD".equals(request.method().name()) || r.body().length == 0) {
      return response.send().then();
    }
    return response.sendByteArray(Mono.just(r.body())).then();
  }

  private static @Nullable String literal(@Nullable SocketAddress socket) {
    if (!(socket instanceof InetSocketAddress inet)) {
      return null;
    }
    InetAddress address = inet.getAddress();
    return address == null ? null : address.getHostAddress();
  }

  @Override
  public void stop() {
    DisposableServer s = server;
    server = null;
    if (s != null) {
      s.disposeNow();
    }
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  @Override
  public String toString() {
    return "ReactorDiagnosticsServer[" + port + "]";
  }
}
