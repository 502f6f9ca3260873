package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.servlet.ActivityFilter;
import dev.inflight.activity.servlet.ServletActivity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
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
 * <p>More variants, not run by default ({@code -p variant=...}): other libraries' request metrics
 * on the same Jetty server, {@code jetty-stats}, {@code micrometer} and {@code dropwizard} (see
 * {@link JettySseServer}), and the same stream from Spring WebFlux on Reactor Netty, {@code
 * netty-none}, {@code netty-disabled} and {@code netty-enabled} (see {@link NettySseServer}).
 *
 * <p>Throughput is reported in rounds per second; the {@code bytes} counter is the body bytes the
 * clients received per second. Every round checks status and byte counts; at the end of the trial
 * the enabled tracker's totals are checked against the bytes sent, and another library's request
 * count against the requests made, so a broken stream fails the benchmark instead of looking fast.
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

  /** The name prefix of the variants that run on Spring WebFlux over Reactor Netty. */
  static final String NETTY = "netty-";

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
    SseServer server;
    HttpClient client;
    ExecutorService clientExecutor;
    HttpRequest request;
    long streamBytes;
    final AtomicLong received = new AtomicLong();
    private boolean sharedClient;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      tracker =
          trackerOn(variant)
              ? ActivityTracker.create(
                  ActivitySettings.builder()
                      .enabled(true)
                      // -Dinflight.countEvents=true measures the tracker that counts SSE events
                      .countEvents(Boolean.getBoolean("inflight.countEvents"))
                      .sweepInterval(Duration.ZERO)
                      .maxConnections(100_000)
                      .build())
              : ActivityTracker.disabled();
      byte[] event = sseEvent(chunkBytes);
      streamBytes = (long) event.length * chunks;
      server =
          variant.startsWith(NETTY)
              ? NettySseServer.start(variant, tracker, event, chunks)
              : JettySseServer.start(variant, tracker, event, chunks);

      if (variant.startsWith(JettySseServer.SWITCHED)) {
        // one client, so one set of connections, for the variants of the one switched server: what
        // the server keeps per connection (its channel, request and response objects, buffers) is
        // then the same for every variant, not a fixed difference between them
        Client shared = SWITCHED_CLIENT.acquire(Client::start);
        client = shared.client();
        clientExecutor = shared.executor();
        sharedClient = true;
      } else {
        Client own = Client.start();
        client = own.client();
        clientExecutor = own.executor();
      }
      request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + PATH))
              .timeout(Duration.ofSeconds(30))
              .header("Accept", "text/event-stream")
              .GET()
              .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      try {
        if (tracking(variant)) {
          checkTrackerCountedEverything();
        }
        checkMetricsRecordedEveryRequest();
      } finally {
        server.stop();
        if (sharedClient) {
          SWITCHED_CLIENT.release();
        } else {
          clientExecutor.shutdownNow();
        }
        tracker.close();
      }
    }

    /** The filter ends rows as responses complete, maybe just after the clients saw the end. */
    private void checkTrackerCountedEverything() throws InterruptedException {
      awaitUntil(() -> tracker.activeConnections() == 0);
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

    /** A peer's request metrics saw every stream (Jetty counts a request once it completed). */
    private void checkMetricsRecordedEveryRequest() throws InterruptedException {
      if (server.requestsRecorded().isEmpty()) {
        return;
      }
      long streams = received.get() / streamBytes;
      awaitUntil(() -> server.requestsRecorded().orElseThrow() >= streams);
      long recorded = server.requestsRecorded().orElseThrow();
      if (recorded != streams) {
        throw new IllegalStateException(
            variant + " recorded " + recorded + " requests, the clients made " + streams);
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

  /** The client of the switched Jetty variants, while any of them runs. */
  private static final SharedServer<Client> SWITCHED_CLIENT =
      new SharedServer<>(c -> c.executor().shutdownNow());

  /** An HTTP/1.1 client and the two threads it runs on. */
  private record Client(HttpClient client, ExecutorService executor) {
    static Client start() {
      ExecutorService executor = Executors.newFixedThreadPool(2, daemonThreads());
      return new Client(
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .executor(executor)
              .connectTimeout(Duration.ofSeconds(5))
              .build(),
          executor);
    }
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

  /**
   * The name prefix of the server's threads for a variant, so their CPU time can be told apart. It
   * ends with a character no variant name holds, so that no variant's prefix is the start of
   * another's ({@code none} and {@code none-2}). The switched variants of a server family share one
   * server, and so one prefix.
   */
  static String serverThreadPrefix(String variant) {
    if (variant.startsWith(JettySseServer.SWITCHED)) {
      return "bench-jetty-switched."; // one server for every switched variant
    }
    if (variant.startsWith(NettySseServer.SWITCHED)) {
      return "bench-netty-switched.";
    }
    return (variant.startsWith(NETTY) ? "bench-" + variant : "bench-jetty-" + variant) + ".";
  }

  /**
   * Whether the variant's tracker is on: the tracking variants, and the parts of {@code
   * switched-enabled} ({@link JettySseServer#SWITCHED_PARTS}), which count only some of the bytes
   * and so are not checked against the clients.
   */
  static boolean trackerOn(String variant) {
    return tracking(variant) || JettySseServer.SWITCHED_PARTS.contains(variant);
  }

  /** Whether the variant tracks all of it (and is checked against the clients at the end). */
  static boolean tracking(String variant) {
    return variant.equals("enabled")
        || variant.equals(NETTY + "enabled")
        || variant.equals(JettySseServer.SWITCHED + "enabled")
        || variant.equals(NettySseServer.SWITCHED + "enabled");
  }

  /** Waits up to 5 seconds for something the server does just after the clients saw the end. */
  private static void awaitUntil(BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
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
}
