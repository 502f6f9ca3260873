package dev.inflight.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.servlet.ActivityFilter;
import dev.inflight.activity.servlet.DiagnosticsServlet;
import dev.inflight.activity.servlet.ServletActivity;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * A small LLM proxy on embedded Jetty 12 with inflight's activity tracking mounted, plus a built-in
 * fake OpenAI-compatible backend and optional simulated clients, so the live connection table can
 * be watched with nothing else installed.
 *
 * <pre>
 * java -jar examples/target/inflight-demo.jar --enable-activity-tracking --demo-traffic 4
 * bin/inspect-activity --watch          # in a second terminal
 * </pre>
 *
 * <p>Wiring, the part a real proxy copies: the servlet adapter's {@code ActivityFilter} on {@code
 * /*} (counts bytes sent to clients), its {@code DiagnosticsServlet} on {@code /v1/diagnostics/*}
 * (the two documents and the live page {@code /v1/diagnostics/ui} with its files), and in the proxy
 * servlet one {@code attach(backend, session, model, type)} plus {@code ActivityStreams.countRx}
 * around the backend body handler. See {@code ChatProxyServlet}.
 */
public final class DemoProxy implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(DemoProxy.class.getName());
  private static final String DIAGNOSTICS_CONNECTOR = "diagnostics";

  private final DemoSetup setup;
  private final ActivityTracker tracker;
  private final @Nullable FakeBackend fakeBackend;
  private final BackendRouter router;
  private final Server server;
  private volatile @Nullable DemoTraffic traffic;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DemoProxy(
      DemoSetup setup,
      ActivityTracker tracker,
      @Nullable FakeBackend fakeBackend,
      BackendRouter router,
      Server server) {
    this.setup = setup;
    this.tracker = tracker;
    this.fakeBackend = fakeBackend;
    this.router = router;
    this.server = server;
  }

  /**
   * Starts the demo and runs until Ctrl+C. Exit code 2 for a bad argument, environment variable or
   * config value (one line on standard error), 1 if it cannot start.
   *
   * @param args see {@code --help}
   */
  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
    }
    Launch launch = launch(args, System.getenv(), Path.of(""), System.out, System.err);
    DemoProxy proxy = launch.proxy();
    if (proxy == null) {
      System.exit(launch.exitCode());
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("\nStopping the demo...");
                  proxy.close();
                },
                "inflight-demo-shutdown"));
    proxy.join();
  }

  /**
   * The outcome of {@link #launch}: an exit code, and the running proxy if it started.
   *
   * @param exitCode 0 when started (or help shown), 2 for bad input, 1 for a start failure
   * @param proxy the running proxy, or null
   */
  record Launch(int exitCode, @Nullable DemoProxy proxy) {}

  /**
   * Resolves the setup and starts the demo, printing the banner or one error line.
   *
   * @param args command-line arguments
   * @param env environment variables
   * @param workDir where {@code config/config.yaml} is looked for
   * @param out where the banner goes
   * @param err where errors go
   * @return the exit code and the running proxy
   */
  static Launch launch(
      String[] args, Map<String, String> env, Path workDir, PrintStream out, PrintStream err) {
    DemoSetup setup;
    try {
      DemoOptions options = DemoOptions.parse(List.of(args));
      if (options.helpRequested()) {
        out.print(DemoOptions.usage());
        return new Launch(0, null);
      }
      setup = DemoSetup.resolve(options, env, workDir);
    } catch (DemoException e) {
      err.println("inflight-demo: error: " + e.getMessage());
      return new Launch(2, null);
    }
    try {
      DemoProxy proxy = start(setup, env);
      out.print(proxy.banner());
      out.flush();
      return new Launch(0, proxy);
    } catch (Exception e) {
      err.println("inflight-demo: error: cannot start: " + e.getMessage());
      return new Launch(1, null);
    }
  }

  /**
   * Starts the fake backend (if a backend uses it), the proxy, and the demo traffic.
   *
   * @param setup the resolved setup
   * @param env environment variables, for backends' {@code api_key_env}
   * @return the running demo
   * @throws Exception if a server cannot start
   */
  static DemoProxy start(DemoSetup setup, Map<String, String> env) throws Exception {
    ActivityTracker tracker =
        setup.settings().enabled()
            ? ActivityTracker.create(setup.settings())
            : ActivityTracker.disabled();
    FakeBackend fake = null;
    Server server = null;
    try {
      DemoConfig config = setup.config();
      if (config.backends().stream().anyMatch(DemoConfig.Backend::builtin)) {
        fake = FakeBackend.start(config.fakeBackendPort(), config.tokenDelayMillis());
      }
      BackendRouter router = new BackendRouter(config, fake == null ? null : fake.baseUrl(), env);
      server = proxyServer(setup, tracker, router);
      server.start();
      DemoProxy proxy = new DemoProxy(setup, tracker, fake, router, server);
      if (setup.demoTraffic() > 0) {
        DemoTls tls = setup.tls();
        proxy.traffic =
            DemoTraffic.start(
                proxy.localUri(),
                router.models(),
                setup.demoTraffic(),
                tls == null ? null : tls.pinnedClientContext());
      }
      return proxy;
    } catch (Exception | Error e) {
      if (server != null) {
        server.stop();
      }
      if (fake != null) {
        fake.close();
      }
      tracker.close();
      throw e;
    }
  }

  private static Server proxyServer(
      DemoSetup setup, ActivityTracker tracker, BackendRouter router) {
    QueuedThreadPool pool = new QueuedThreadPool(200, 8);
    pool.setName("inflight-demo");
    Server server = new Server(pool);
    DemoTls tls = setup.tls();
    ServerConnector connector =
        tls == null ? plainConnector(server) : tlsConnector(server, tls.serverContextFactory());
    connector.setHost(setup.host());
    connector.setPort(setup.port());
    server.addConnector(connector);
    DiagnosticsServlet.Builder diagnostics =
        DiagnosticsServlet.builder().tracker(tracker).backends(router.directory());
    Integer diagnosticsPort = setup.diagnosticsPort();
    if (diagnosticsPort != null) {
      // inflight: the diagnostics on a listener of their own, reachable from this machine only;
      // on the public listener their paths answer 404. Plain HTTP/1.1 even with --tls: it is
      // loopback only, and the CLI and curl read it without a certificate.
      ServerConnector loopback = new ServerConnector(server);
      loopback.setName(DIAGNOSTICS_CONNECTOR);
      loopback.setHost("127.0.0.1");
      loopback.setPort(diagnosticsPort);
      server.addConnector(loopback);
      diagnostics.onlyOnPort(loopback::getLocalPort);
    }
    server.setStopTimeout(0); // streams are cut on shutdown anyway: do not wait for them

    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    // inflight: count what goes to the clients, and serve the diagnostics: /v1/diagnostics,
    // /v1/diagnostics/activity, and the live page /v1/diagnostics/ui with its files under it.
    FilterHolder filter = new FilterHolder(ActivityFilter.builder().tracker(tracker).build());
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(diagnostics.build()), "/v1/diagnostics/*");
    context.addServlet(new ServletHolder(new MetricsServlet(tracker)), "/metrics");
    // the proxy
    context.addServlet(
        new ServletHolder(new ChatProxyServlet(router, http, ServletActivity::of)),
        "/v1/chat/completions");
    context.addServlet(new ServletHolder(new ModelsServlet(router)), "/v1/models");
    server.setHandler(context);
    return server;
  }

  /** HTTP/1.1, and HTTP/2 without TLS (h2c) for clients that start with its preface or upgrade. */
  private static ServerConnector plainConnector(Server server) {
    HttpConfiguration config = new HttpConfiguration();
    return new ServerConnector(
        server, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
  }

  /** TLS, then ALPN: HTTP/2 ({@code h2}) when the client offers it, else HTTP/1.1. */
  private static ServerConnector tlsConnector(Server server, SslContextFactory.Server tls) {
    HttpConfiguration config = new HttpConfiguration();
    config.setSecureScheme("https");
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // a demo certificate is usually reached by a name it does not carry (curl -k): do not answer
    // 400 when the TLS server name differs from the certificate's
    secure.setSniHostCheck(false);
    config.addCustomizer(secure);
    HttpConnectionFactory http11 = new HttpConnectionFactory(config);
    HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
    alpn.setDefaultProtocol(http11.getProtocol());
    SslConnectionFactory ssl = new SslConnectionFactory(tls, alpn.getProtocol());
    return new ServerConnector(server, ssl, alpn, h2, http11);
  }

  /** The port the proxy listens on. */
  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** The port the diagnostics are served on: their own listener's, else the proxy's. */
  int diagnosticsPort() {
    for (var c : server.getConnectors()) {
      if (DIAGNOSTICS_CONNECTOR.equals(c.getName())) {
        return ((ServerConnector) c).getLocalPort();
      }
    }
    return port();
  }

  /** Where the diagnostics are read from this host, e.g. {@code http://127.0.0.1:9901/}. */
  URI diagnosticsUri() {
    return setup.diagnosticsPort() == null
        ? localUri()
        : URI.create("http://127.0.0.1:" + diagnosticsPort() + "/");
  }

  /**
   * The proxy's base URL as seen from this host, e.g. {@code http://127.0.0.1:8000/}, or {@code
   * https://...} with TLS.
   */
  URI localUri() {
    String host = setup.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("localhost")) {
      host = "127.0.0.1";
    }
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create(scheme() + "://" + host + ":" + port() + "/");
  }

  private String scheme() {
    return setup.tls() == null ? "http" : "https";
  }

  /** The certificate the proxy serves, or null without TLS. */
  @Nullable X509Certificate certificate() {
    DemoTls tls = setup.tls();
    return tls == null ? null : tls.certificate();
  }

  ActivityTracker tracker() {
    return tracker;
  }

  @Nullable FakeBackend fakeBackend() {
    return fakeBackend;
  }

  /** Blocks until the server stops. */
  void join() {
    try {
      server.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the demo traffic, if any, leaving the proxy running; safe to call twice. */
  void stopTraffic() {
    DemoTraffic t = traffic;
    if (t != null) {
      t.close();
    }
  }

  /** Stops the traffic, the proxy, the fake backend and the tracker; safe to call twice. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Clients first (their streams end as client aborts), then the proxy, then the backend.
    DemoTraffic t = traffic;
    if (t != null) {
      t.close();
    }
    try {
      server.stop();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "proxy did not stop cleanly", e);
    }
    if (fakeBackend != null) {
      fakeBackend.close();
    }
    tracker.close();
  }

  String banner() {
    DemoTls tls = setup.tls();
    String base = scheme() + "://localhost:" + port();
    boolean diagnosticsOwnPort = setup.diagnosticsPort() != null;
    String diagnosticsBase = diagnosticsOwnPort ? "http://localhost:" + diagnosticsPort() : base;
    // curl checks certificates: -k for the demo's, which no authority signed
    String curl = tls == null ? "curl " : "curl --http2 -k ";
    String diagnosticsCurl = diagnosticsOwnPort ? "curl " : curl;
    StringBuilder sb = new StringBuilder();
    sb.append("inflight demo proxy listening on ")
        .append(scheme())
        .append("://")
        .append(setup.host().contains(":") ? "[" + setup.host() + "]" : setup.host())
        .append(':')
        .append(port())
        .append(tls == null ? " (HTTP/1.1, h2c)" : " (HTTP/2 by ALPN, else HTTP/1.1)")
        .append('\n');
    if (tls != null) {
      sb.append("  TLS: ").append(tls.origin()).append('\n');
      sb.append("  certificate SHA-256 fingerprint: ").append(tls.fingerprint()).append('\n');
    }
    if (setup.diagnosticsPort() != null) {
      sb.append("  diagnostics and live page on http://127.0.0.1:")
          .append(diagnosticsPort())
          .append(" only, plain HTTP (the listen port answers 404 for them)\n");
    }
    sb.append("  activity tracking: ")
        .append(tracker.isEnabled() ? "ON" : "OFF")
        .append(" (")
        .append(setup.enablementSource())
        .append(")\n");
    sb.append("  config: ").append(setup.config().source()).append('\n');
    sb.append("  backends:\n");
    for (BackendRouter.Route r : router.routes()) {
      boolean builtin =
          fakeBackend != null && r.completions().toString().startsWith(fakeBackend.baseUrl());
      sb.append(
          String.format(
              Locale.ROOT,
              "    %-12s %-10s %-32s -> %s%n",
              r.name(),
              r.connectorType(),
              String.join(", ", r.models()),
              builtin && fakeBackend != null
                  ? "built-in fake backend (" + fakeBackend.baseUrl() + ")"
                  : r.completions()));
    }
    if (setup.demoTraffic() > 0) {
      sb.append("  demo traffic: ").append(setup.demoTraffic()).append(" simulated sessions\n");
    }
    sb.append("\nLive page: ")
        .append(diagnosticsBase)
        .append(DiagnosticsEndpoint.UI_PATH)
        .append('\n');
    sb.append("\nTry, in another terminal:\n");
    if (tls == null || diagnosticsOwnPort) {
      sb.append("  bin/inspect-activity ")
          .append(diagnosticsOwnPort ? diagnosticsBase + " " : "")
          .append("--watch\n");
    } else {
      sb.append("  (bin/inspect-activity trusts no self-signed certificate: restart with")
          .append(" --diagnostics-port 9901 for a plain-HTTP loopback listener to watch)\n");
    }
    sb.append("  ").append(diagnosticsCurl).append(diagnosticsBase);
    sb.append("/v1/diagnostics/activity\n");
    sb.append("  ").append(diagnosticsCurl).append(diagnosticsBase).append("/v1/diagnostics\n");
    sb.append("  ")
        .append(curl)
        .append(base)
        .append("/metrics                  # Prometheus text\n");
    sb.append("  ")
        .append(curl)
        .append("-N ")
        .append(base)
        .append("/v1/chat/completions -H 'Content-Type: application/json' -d '{\"model\":\"")
        .append(router.models().get(0))
        .append("\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}'\n");
    if (!tracker.isEnabled()) {
      sb.append(
          "\nActivity tracking is off: restart with --enable-activity-tracking"
              + " (or ENABLE_ACTIVITY_TRACKING=1) to see live connections.\n");
    }
    sb.append("\nCtrl+C stops the demo.\n");
    return sb.toString();
  }

  /** {@code GET /v1/models}: the models the proxy routes, OpenAI style. */
  private static final class ModelsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient BackendRouter router;

    ModelsServlet(BackendRouter router) {
      this.router = router;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode doc = mapper.createObjectNode().put("object", "list");
      ArrayNode data = doc.putArray("data");
      for (BackendRouter.Route r : router.routes()) {
        for (String m : r.models()) {
          if (router.route(m).map(x -> x.equals(r)).orElse(false)) {
            data.addObject().put("id", m).put("object", "model").put("owned_by", r.name());
          }
        }
      }
      resp.setContentType("application/json");
      resp.getOutputStream().write(mapper.writeValueAsBytes(doc));
    }
  }
}
