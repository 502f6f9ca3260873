package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityStreams;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.servlet.ActivityFilter;
import dev.inflight.activity.servlet.ServletActivity;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End to end: an embedded Jetty 12 (ee10) proxy streams server-sent events to {@code clients}
 * concurrent JDK {@link HttpClient} requests over 127.0.0.1. One operation is one round of {@code
 * clients} complete streams of {@code chunks} events of {@code chunkBytes} bytes each, every event
 * flushed on its own as an SSE proxy does.
 *
 * <p>Three {@code variant}s of the same server: {@code none} (no filter, no inflight code), {@code
 * disabled} ({@link ActivityFilter} mounted, tracking off, the servlet still calls {@link
 * ServletActivity#of} and wraps its backend stream as a proxy would) and {@code enabled} (tracking
 * on: the filter counts TX, the servlet attaches the request to a backend row and counts RX).
 * Target: enabled keeps at least 97% of disabled's throughput.
 *
 * <p>Throughput is reported in rounds per second; the {@code bytes} counter is the body bytes the
 * clients received per second. Every round checks status and byte counts, and the enabled tracker's
 * totals are checked against the bytes sent at the end of the trial, so a broken stream fails the
 * benchmark instead of looking fast.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@Threads(1)
public class EndToEndBenchmark {

  static final String PATH = "/v1/chat/completions";
  static final String BACKEND = "bench.backend";

  /** The server, the client and the expected body. */
  @State(Scope.Benchmark)
  public static class Proxy {
    @Param({"none", "disabled", "enabled"})
    public String variant;

    @Param({"4"})
    public int clients;

    @Param({"64"})
    public int chunks;

    @Param({"256"})
    public int chunkBytes;

    ActivityTracker tracker;
    Server server;
    HttpClient client;
    ExecutorService clientExecutor;
    HttpRequest request;
    long streamBytes;
    final AtomicLong received = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      tracker =
          switch (variant) {
            case "none", "disabled" -> ActivityTracker.disabled();
            case "enabled" ->
                ActivityTracker.create(
                    ActivitySettings.builder()
                        .enabled(true)
                        .sweepInterval(Duration.ZERO)
                        .maxConnections(100_000)
                        .build());
            default -> throw new IllegalArgumentException("unknown variant " + variant);
          };
      byte[] event = sseEvent(chunkBytes);
      streamBytes = (long) event.length * chunks;

      QueuedThreadPool threads = new QueuedThreadPool(64, 8);
      threads.setName(serverThreadPrefix(variant));
      server = new Server(threads);
      ServerConnector connector = new ServerConnector(server, 1, 1);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      if (!variant.equals("none")) {
        FilterHolder filter = new FilterHolder(ActivityFilter.builder().tracker(tracker).build());
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
      }
      context.addServlet(
          new ServletHolder(new SseServlet(event, chunks, !variant.equals("none"))), PATH);
      server.setHandler(context);
      server.start();

      clientExecutor = Executors.newFixedThreadPool(2, daemonThreads());
      client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .executor(clientExecutor)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + PATH))
              .timeout(Duration.ofSeconds(30))
              .header("Accept", "text/event-stream")
              .GET()
              .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      try {
        if (variant.equals("enabled")) {
          checkTrackerCountedEverything();
        }
      } finally {
        server.stop();
        clientExecutor.shutdownNow();
        tracker.close();
      }
    }

    /** The filter ends rows as responses complete, maybe just after the clients saw the end. */
    private void checkTrackerCountedEverything() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (tracker.activeConnections() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      BackendSnapshot b =
          tracker
              .getBackendSnapshot(BACKEND)
              .orElseThrow(() -> new IllegalStateException("the tracker never saw " + BACKEND));
      long sent = received.get();
      if (tracker.activeConnections() != 0
          || b.cumulativeBytesTx() != sent
          || b.cumulativeBytesRx() != sent) {
        throw new IllegalStateException(
            "tracker disagrees with the clients: active="
                + tracker.activeConnections()
                + " rx="
                + b.cumulativeBytesRx()
                + " tx="
                + b.cumulativeBytesTx()
                + " received="
                + sent);
      }
    }
  }

  /** Body bytes the clients received, reported per second next to the rounds. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Bytes {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
    }
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  public void baseline() {}

  /** One round: {@code clients} concurrent SSE streams, each read to its end. */
  @Benchmark
  public void sseStreams(Proxy p, Bytes counter) {
    counter.bytes += round(p);
  }

  /**
   * Runs one round and checks it: every stream answered 200 with the whole body.
   *
   * @return the body bytes the clients received
   */
  static long round(Proxy p) {
    List<CompletableFuture<Long>> rounds = new ArrayList<>(p.clients);
    for (int i = 0; i < p.clients; i++) {
      AtomicLong length = new AtomicLong();
      rounds.add(
          p.client
              .sendAsync(
                  p.request,
                  HttpResponse.BodyHandlers.ofByteArrayConsumer(
                      chunk -> chunk.ifPresent(bytes -> length.addAndGet(bytes.length))))
              .thenApply(
                  response -> {
                    if (response.statusCode() != 200) {
                      throw new IllegalStateException("HTTP " + response.statusCode());
                    }
                    return length.get();
                  }));
    }
    long total = 0;
    for (CompletableFuture<Long> round : rounds) {
      long got = round.join();
      if (got != p.streamBytes) {
        throw new IllegalStateException("expected " + p.streamBytes + " bytes, got " + got);
      }
      total += got;
    }
    p.received.addAndGet(total);
    return total;
  }

  /** The name prefix of the server's threads for a variant, so their CPU time can be told apart. */
  static String serverThreadPrefix(String variant) {
    return "bench-jetty-" + variant;
  }

  /** One SSE event of exactly {@code size} bytes: {@code data: {...}\n\n}. */
  static byte[] sseEvent(int size) {
    String head = "data: {\"choices\":[{\"delta\":{\"content\":\"";
    String tail = "\"}}]}\n\n";
    int fill = Math.max(0, size - head.length() - tail.length());
    return (head + "x".repeat(fill) + tail).getBytes(StandardCharsets.UTF_8);
  }

  private static ThreadFactory daemonThreads() {
    return r -> {
      Thread t = new Thread(r, "bench-client");
      t.setDaemon(true);
      return t;
    };
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
    private final boolean instrumented;

    SseServlet(byte[] event, int chunks, boolean instrumented) {
      this.event = event;
      this.chunks = chunks;
      this.instrumented = instrumented;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setStatus(200);
      resp.setContentType("text/event-stream");
      resp.setHeader("Cache-Control", "no-cache");
      InputStream backend = new ByteArrayInputStream(repeat(event, chunks));
      if (instrumented) {
        ActivityHandle activity =
            ServletActivity.of(req).attach(BACKEND, "gpt-4", ConnectionType.STREAMING);
        backend = ActivityStreams.countRx(backend, activity);
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
