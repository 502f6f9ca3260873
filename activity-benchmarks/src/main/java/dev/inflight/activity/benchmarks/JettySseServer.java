package dev.inflight.activity.benchmarks;

import com.codahale.metrics.MetricRegistry;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityStreams;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.servlet.ActivityFilter;
import dev.inflight.activity.servlet.ServletActivity;
import io.dropwizard.metrics.servlet6.InstrumentedFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * The end-to-end benchmark's server on embedded Jetty 12 (ee10): one servlet streams server-sent
 * events, each flushed, mounted as a user of each library would mount it.
 *
 * <ul>
 *   <li>{@code none}: the servlet alone, no inflight code; {@code none-2} the same again, the
 *       control.
 *   <li>{@code disabled}, {@code enabled}: {@link ActivityFilter} on {@code /*} with tracking off
 *       or on; the servlet attaches the request to its backend and counts what it reads (RX).
 *   <li>{@code jetty-stats}: Jetty's own {@link StatisticsHandler} around the context.
 *   <li>{@code micrometer}: Spring's {@link ServerHttpObservationFilter} (what Spring Boot mounts
 *       for {@code http.server.requests}), its observations recorded as timers by Micrometer's
 *       {@link DefaultMeterObservationHandler} on a {@link SimpleMeterRegistry}.
 *   <li>{@code dropwizard}: Dropwizard metrics' servlet {@link InstrumentedFilter}, its {@link
 *       MetricRegistry} in the servlet context attribute the filter reads.
 * </ul>
 */
final class JettySseServer implements SseServer {

  /** The other libraries' request metrics, each a variant of its own. */
  static final List<String> PEERS = List.of("jetty-stats", "micrometer", "dropwizard");

  /**
   * A second bare server, the control: {@code none-2 / none} shows how far two servers running the
   * same code differ in this measure, which bounds what any other ratio can resolve.
   */
  static final String CONTROL = "none-2";

  /** Every variant this server knows, the bare server first. */
  static final List<String> VARIANTS =
      List.of("none", "disabled", "enabled", PEERS.get(0), PEERS.get(1), PEERS.get(2), CONTROL);

  /**
   * The prefix of the variants that share one server, switched from one to the next before each
   * measured stretch: {@code switched-none}, {@code switched-none-2} (the control), {@code
   * switched-disabled}, {@code switched-enabled}. Two servers running the same code differ by a
   * fixed amount within a JVM (where their threads, buffers and connections land), which the
   * separate servers' ratios cannot tell from tracking's cost; variants of one server share all of
   * that, their client and its connections included, and differ only in the code a request runs.
   */
  static final String SWITCHED = "switched-";

  /** The switched variants, the bare one first. */
  static final List<String> SWITCHED_VARIANTS =
      List.of(SWITCHED + "none", SWITCHED + "disabled", SWITCHED + "enabled", SWITCHED + CONTROL);

  /**
   * The peers on the switched server ({@code switched-jetty-stats}, {@code switched-micrometer},
   * {@code switched-dropwizard}): each library's request metrics selected in turn on the same
   * server as inflight's variants, so that inflight / peer is read without the fixed difference
   * between two servers. Jetty's {@link StatisticsHandler} wraps the switched server's context in
   * every variant and counts only while its variant is selected; the filters are initialised as the
   * container would and run behind the switching filter.
   */
  static final List<String> SWITCHED_PEERS =
      List.of(SWITCHED + PEERS.get(0), SWITCHED + PEERS.get(1), SWITCHED + PEERS.get(2));

  /** The switched server's variants and its peers ({@code switched-all}). */
  static final List<String> SWITCHED_ALL =
      Stream.concat(SWITCHED_VARIANTS.stream(), SWITCHED_PEERS.stream()).toList();

  /**
   * Parts of {@code switched-enabled}, for bisecting what tracking costs: {@code
   * switched-filter-only} is the enabled filter while the servlet neither attaches nor counts what
   * it reads (the wrappers, the request's activity and scope, TX counted into the request), and
   * {@code switched-no-rx} attaches without counting what it reads (also the row's open and end).
   * Run them with {@code switched-parts}, beside the switched server's none, disabled and enabled.
   */
  static final List<String> SWITCHED_PARTS = List.of(SWITCHED + "filter-only", SWITCHED + "no-rx");

  /**
   * What {@code switched-parts} runs: the switched server's none, disabled and enabled, and the
   * parts of enabled between them.
   */
  static final List<String> SWITCHED_BISECT =
      Stream.concat(
              SWITCHED_VARIANTS.stream().filter(v -> !v.equals(SWITCHED + CONTROL)),
              SWITCHED_PARTS.stream())
          .toList();

  /** Every variant of the switched server. */
  static final List<String> SWITCHED_KNOWN =
      Stream.concat(SWITCHED_ALL.stream(), SWITCHED_PARTS.stream()).toList();

  /** The one server of the switched variants, while any of them runs. */
  private static final SharedServer<Switched> SWITCHED_SERVER =
      new SharedServer<>(s -> s.server.stop());

  private final Server server;
  private final int port;
  private final @Nullable LongSupplier recorded;

  private JettySseServer(Server server, int port, @Nullable LongSupplier recorded) {
    this.server = server;
    this.port = port;
    this.recorded = recorded;
  }

  /**
   * Starts a server.
   *
   * @param variant one of {@link #VARIANTS}
   * @param tracker the tracker of the inflight filter (unused by the other variants)
   * @param event one event, as the backend sends it
   * @param chunks how many events a response streams
   * @return the running server
   * @throws Exception if Jetty does not start
   */
  static SseServer start(String variant, ActivityTracker tracker, byte[] event, int chunks)
      throws Exception {
    if (variant.startsWith(SWITCHED)) {
      return startSwitched(variant, tracker, event, chunks);
    }
    QueuedThreadPool threads = pool();
    threads.setName(EndToEndBenchmark.serverThreadPrefix(variant));
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    boolean inflight = false;
    LongSupplier recorded = null;
    switch (variant) {
      case "none":
      case CONTROL:
        break;
      case "disabled":
      case "enabled":
        inflight = true;
        mount(context, ActivityFilter.builder().tracker(tracker).build());
        break;
      case "jetty-stats":
        StatisticsHandler statistics = new StatisticsHandler();
        statistics.setHandler(context);
        server.setHandler(statistics);
        recorded = statistics::getRequestTotal;
        break;
      case "micrometer":
      case "dropwizard":
        PeerFilter peer = peerFilter(variant, context);
        mount(context, peer.filter());
        recorded = peer.recorded();
        break;
      default:
        throw new IllegalArgumentException("unknown Jetty variant " + variant);
    }
    context.addServlet(
        new ServletHolder(new SseServlet(event, chunks, inflight)), EndToEndBenchmark.PATH);
    if (server.getHandler() == null) {
      server.setHandler(context);
    }
    server.start();
    return new JettySseServer(server, connector.getLocalPort(), recorded);
  }

  /**
   * A switched variant: the one server of {@link #SWITCHED}, started by the first of them and
   * stopped by the last, with this variant's filter and attach as its selectable mode.
   */
  private static SseServer startSwitched(
      String variant, ActivityTracker tracker, byte[] event, int chunks) throws Exception {
    String mode = variant.substring(SWITCHED.length());
    if (!SWITCHED_KNOWN.contains(variant)) {
      throw new IllegalArgumentException("unknown Jetty variant " + variant);
    }
    Switched server = SWITCHED_SERVER.acquire(() -> Switched.start(event, chunks));
    Mode m;
    try {
      m =
          switch (mode) {
            case "disabled", "enabled" ->
                new Mode(
                    ActivityFilter.builder().tracker(tracker).build(), true, true, false, null);
            case "no-rx" ->
                new Mode(
                    ActivityFilter.builder().tracker(tracker).build(), true, false, false, null);
            case "filter-only" ->
                new Mode(
                    ActivityFilter.builder().tracker(tracker).build(), false, false, false, null);
            case "jetty-stats" ->
                new Mode(null, false, false, true, server.statistics::getRequestTotal);
            case "micrometer", "dropwizard" -> {
              PeerFilter peer = peerFilter(mode, server.context);
              peer.filter().init(new Config(peer.filter(), server.context.getServletContext()));
              yield new Mode(peer.filter(), false, false, false, peer.recorded());
            }
            default -> new Mode(null, false, false, false, null); // none, the control
          };
    } catch (Exception | Error e) {
      SWITCHED_SERVER.release();
      throw e;
    }
    LongSupplier recorded = m.recorded();
    return new SseServer() {
      @Override
      public int port() {
        return server.port;
      }

      @Override
      public void select() {
        server.select(m);
      }

      @Override
      public OptionalLong requestsRecorded() {
        return recorded == null ? OptionalLong.empty() : OptionalLong.of(recorded.getAsLong());
      }

      @Override
      public void stop() throws Exception {
        SWITCHED_SERVER.release();
      }
    };
  }

  /**
   * What a switched server runs: the filter in front of the servlet (none for the bare server),
   * whether the servlet attaches and whether it counts what it reads, whether Jetty's statistics
   * count, and how many requests the variant's metrics recorded (null when it has none).
   */
  private record Mode(
      @Nullable Filter filter,
      boolean attach,
      boolean countRx,
      boolean statistics,
      @Nullable LongSupplier recorded) {}

  /** A peer's filter and the number of requests its metrics recorded. */
  private record PeerFilter(Filter filter, LongSupplier recorded) {}

  /**
   * The filter of {@code micrometer} or {@code dropwizard}, with its registry; Dropwizard's finds
   * its registry in the servlet context, where this puts it.
   */
  private static PeerFilter peerFilter(String peer, ServletContextHandler context) {
    switch (peer) {
      case "micrometer" -> {
        MeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations
            .observationConfig()
            .observationHandler(new DefaultMeterObservationHandler(meters));
        return new PeerFilter(
            new ServerHttpObservationFilter(observations),
            () ->
                meters.find("http.server.requests").timers().stream()
                    .mapToLong(Timer::count)
                    .sum());
      }
      case "dropwizard" -> {
        MetricRegistry metrics = new MetricRegistry();
        context.setAttribute(InstrumentedFilter.REGISTRY_ATTRIBUTE, metrics);
        return new PeerFilter(
            new InstrumentedFilter(),
            () ->
                metrics
                    .timer(MetricRegistry.name(InstrumentedFilter.class, "requests"))
                    .getCount());
      }
      default -> throw new IllegalArgumentException("no peer filter named " + peer);
    }
  }

  /** The configuration a container gives a filter it mounts without parameters. */
  private record Config(Filter filter, ServletContext context) implements FilterConfig {
    @Override
    public String getFilterName() {
      return filter.getClass().getName();
    }

    @Override
    public ServletContext getServletContext() {
      return context;
    }

    @Override
    public @Nullable String getInitParameter(String name) {
      return null;
    }

    @Override
    public Enumeration<String> getInitParameterNames() {
      return Collections.emptyEnumeration();
    }
  }

  /** The one server of the switched variants. */
  private static final class Switched {
    final Server server;
    final int port;
    final ServletContextHandler context;
    final SwitchedStatistics statistics;
    final SwitchFilter filter;
    final SseServlet servlet;

    private Switched(
        Server server,
        int port,
        ServletContextHandler context,
        SwitchedStatistics statistics,
        SwitchFilter filter,
        SseServlet servlet) {
      this.server = server;
      this.port = port;
      this.context = context;
      this.statistics = statistics;
      this.filter = filter;
      this.servlet = servlet;
    }

    static Switched start(byte[] event, int chunks) throws Exception {
      QueuedThreadPool threads = pool();
      threads.setName(EndToEndBenchmark.serverThreadPrefix(SWITCHED + "none"));
      Server server = new Server(threads);
      ServerConnector connector = new ServerConnector(server, 1, 1);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      SwitchFilter filter = new SwitchFilter();
      mount(context, filter);
      SseServlet servlet = new SseServlet(event, chunks, false);
      context.addServlet(new ServletHolder(servlet), EndToEndBenchmark.PATH);
      SwitchedStatistics statistics = new SwitchedStatistics();
      statistics.setHandler(context);
      server.setHandler(statistics);
      server.start();
      return new Switched(server, connector.getLocalPort(), context, statistics, filter, servlet);
    }

    void select(Mode m) {
      filter.delegate = m.filter();
      servlet.attach = m.attach();
      servlet.countRx = m.countRx();
      statistics.counting = m.statistics();
    }
  }

  /**
   * Jetty's {@link StatisticsHandler} around the switched server's context, counting while {@code
   * switched-jetty-stats} is selected and handing the request straight to the context otherwise.
   * Its own cost, one volatile read and a branch, is the same in every variant.
   */
  private static final class SwitchedStatistics extends StatisticsHandler {
    volatile boolean counting;

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (counting) {
        return super.handle(request, response, callback);
      }
      Handler next = getHandler();
      return next != null && next.handle(request, response, callback);
    }
  }

  /**
   * The switched server's filter: the selected variant's filter, or straight on to the servlet. Its
   * own cost, one volatile read and a branch, is the same in every variant.
   */
  private static final class SwitchFilter implements Filter {
    volatile @Nullable Filter delegate;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      Filter f = delegate;
      if (f == null) {
        chain.doFilter(request, response);
      } else {
        f.doFilter(request, response, chain);
      }
    }
  }

  /**
   * The server's threads: up to 64, and none leaves the pool while the server runs, so that the CPU
   * time of a measured stretch is never lost with a thread that exited (an idle thread uses no
   * CPU).
   */
  private static QueuedThreadPool pool() {
    QueuedThreadPool threads = new QueuedThreadPool(64, 8);
    threads.setIdleTimeout(Integer.MAX_VALUE);
    return threads;
  }

  /**
   * A filter on every path, async supported, for requests (the servlet never dispatches again), as
   * the inflight filter's README mounts it.
   */
  private static void mount(ServletContextHandler context, Filter filter) {
    FilterHolder holder = new FilterHolder(filter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public OptionalLong requestsRecorded() {
    return recorded == null ? OptionalLong.empty() : OptionalLong.of(recorded.getAsLong());
  }

  @Override
  public void stop() throws Exception {
    server.stop();
  }

  /**
   * The proxy's handler: "reads" the backend response event by event and forwards each one to the
   * client with a flush, like an SSE proxy. With {@code instrumented} it does what the inflight
   * docs ask of a proxy: attach the request to its backend and count what it reads.
   */
  static final class SseServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final byte[] event;
    private final int chunks;

    /**
     * Whether the servlet attaches, and whether it counts what it reads: set once for a server of
     * one variant, and per selection on the switched server.
     */
    volatile boolean attach;

    volatile boolean countRx;

    SseServlet(byte[] event, int chunks, boolean instrumented) {
      this.event = event;
      this.chunks = chunks;
      this.attach = instrumented;
      this.countRx = instrumented;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setStatus(200);
      resp.setContentType("text/event-stream");
      resp.setHeader("Cache-Control", "no-cache");
      InputStream backend = new ByteArrayInputStream(repeat(event, chunks));
      if (attach) {
        ActivityHandle activity =
            ServletActivity.of(req)
                .attach(EndToEndBenchmark.BACKEND, "gpt-4", ConnectionType.STREAMING);
        if (countRx) {
          backend = ActivityStreams.countRx(backend, activity);
        }
      }
      byte[] buffer = new byte[event.length];
      OutputStream out = resp.getOutputStream();
      int n;
      while ((n = backend.readNBytes(buffer, 0, buffer.length)) > 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    }

    private static byte[] repeat(byte[] event, int times) {
      byte[] all = new byte[event.length * times];
      for (int i = 0; i < times; i++) {
        System.arraycopy(event, 0, all, i * event.length, event.length);
      }
      return all;
    }
  }
}
