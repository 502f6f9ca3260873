package dev.inflight.activity.servlet;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.json.BackendDescription;
import dev.inflight.activity.json.BackendDirectory;
import dev.inflight.activity.json.ConnectionView;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.SessionIdDisplay;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every servlet scenario, written once. Each subclass starts a real container (Jetty, Tomcat) and
 * the scenarios talk to it over 127.0.0.1 with the JDK {@link HttpClient}.
 */
abstract class ServletContainerContract {

  static final String BACKEND = "backend-a";
  static final String MODEL = "model-x";
  static final Duration WAIT = Duration.ofSeconds(10);

  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** A started container. */
  protected interface Container {
    int port();

    /** Stops the container (its filters' and servlets' destroy() run). */
    void close() throws Exception;
  }

  /** A filter to mount, in chain order. */
  protected record FilterMount(
      Filter filter, String pattern, Set<DispatcherType> dispatchers, Map<String, String> params) {}

  /** A servlet to mount; async-supported. */
  protected record ServletMount(Servlet servlet, String pattern, Map<String, String> params) {
    ServletMount(Servlet servlet, String pattern) {
      this(servlet, pattern, Map.of());
    }
  }

  /**
   * Starts the container on 127.0.0.1, a free port, with everything async-supported.
   *
   * @param filters the filters, first one outermost
   * @param servlets the servlets
   * @return the running container
   */
  protected abstract Container start(List<FilterMount> filters, List<ServletMount> servlets)
      throws Exception;

  /** The package prefix of the container's own request and response classes. */
  protected abstract String containerPackage();

  ActivityTracker tracker;
  ExecutorService workers;
  private Container container;

  @BeforeEach
  void createTracker() {
    tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    workers = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopEverything() throws Exception {
    try {
      if (container != null) {
        container.close();
      }
    } finally {
      tracker.close();
      workers.shutdownNow();
      assertThat(workers.awaitTermination(10, SECONDS)).as("test workers stopped").isTrue();
    }
  }

  // ---------------------------------------------------------------- bytes counted = bytes received

  enum Output {
    STREAM,
    WRITER
  }

  @Test
  void smallBodyIsCountedExactly() throws Exception {
    byte[] body = bytes(1234, 1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("application/octet-stream");
              res.getOutputStream().write(body);
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/small", "s-small"), BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(body.length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void tenMegabyteBodyIsCountedExactly() throws Exception {
    int total = 10 * 1024 * 1024;
    byte[] chunk = bytes(64 * 1024, 2);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentLengthLong(total);
              ServletOutputStream out = res.getOutputStream();
              for (int sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk);
              }
            }));

    HttpResponse<InputStream> r =
        CLIENT.send(get("/large", "s-large"), BodyHandlers.ofInputStream());
    long received;
    try (InputStream in = r.body()) {
      received = in.transferTo(OutputStream.nullOutputStream());
    }

    assertThat(received).isEqualTo(total);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(total);
    assertThat(backend().ended().completed()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Output.class)
  void chunkedBodyWithFlushesIsCountedExactly(Output output) throws Exception {
    Random random = new Random(42);
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      chunks.add(ascii(1 + random.nextInt(3000), i));
    }
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain; charset=UTF-8");
              if (output == Output.STREAM) {
                ServletOutputStream out = res.getOutputStream();
                for (byte[] c : chunks) {
                  out.write(c);
                  out.flush();
                }
              } else {
                PrintWriter w = res.getWriter();
                for (byte[] c : chunks) {
                  w.write(new String(c, US_ASCII));
                  w.flush();
                }
              }
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/chunked", "s-chunked"), BodyHandlers.ofByteArray());

    assertThat(r.headers().firstValue("content-length")).isEmpty();
    assertThat(r.body()).isEqualTo(concat(chunks));
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(r.body().length);
  }

  @Test
  void writerCountsEncodedUtf8Bytes() throws Exception {
    String text = "héllo wörld — ✓ 日本語 😀 ";
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain; charset=UTF-8");
              PrintWriter w = res.getWriter();
              for (int i = 0; i < 500; i++) {
                w.print(text);
                w.println(i);
              }
              w.printf("%s=%d%n", "ünïcode", 42);
              w.append('é').append("ß", 0, 1);
              w.write("x😀y".toCharArray());
              // a surrogate pair split across two writes is still one 4-byte character
              w.write(0xD83D);
              w.write(0xDE00);
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/utf8", "s-utf8"), BodyHandlers.ofByteArray());

    String decoded = new String(r.body(), UTF_8);
    assertThat(decoded).startsWith(text + "0").endsWith("éßx😀y😀").doesNotContain("?");
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(r.body().length);
  }

  @Test
  void writerCountsOneByteACharacterInTheDefaultCharset() throws Exception {
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain");
              res.setCharacterEncoding("ISO-8859-1");
              res.getWriter().print("café crème brûlée");
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/latin1", "s-latin1"), BodyHandlers.ofByteArray());

    assertThat(new String(r.body(), ISO_8859_1)).isEqualTo("café crème brûlée");
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(r.body().length).isEqualTo(17);
  }

  // ---------------------------------------------------------------- streams (SSE)

  @ParameterizedTest
  @EnumSource(Output.class)
  void sseEventsArriveAtOnceAndTheRowGrowsWhileTheStreamIsOpen(Output output) throws Exception {
    int events = 5;
    Semaphore next = new Semaphore(0);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/event-stream; charset=UTF-8");
              for (int i = 0; i < events; i++) {
                byte[] e = event(i);
                if (output == Output.STREAM) {
                  res.getOutputStream().write(e);
                  res.getOutputStream().flush();
                } else {
                  res.getWriter().write(new String(e, UTF_8));
                  res.getWriter().flush();
                }
                acquire(next);
              }
            }));

    HttpResponse<InputStream> r = CLIENT.send(get("/sse", "s-sse"), BodyHandlers.ofInputStream());
    long received = 0;
    try (InputStream in = r.body()) {
      for (int i = 0; i < events; i++) {
        // the servlet waits for us before the next event: a buffering wrapper would hang here
        byte[] e = readEvent(in);
        assertThat(e).isEqualTo(event(i));
        received += e.length;
        long expected = received;
        await("row shows " + expected + " bytes", () -> rowTx("s-sse") == expected);
        assertThat(row("s-sse").orElseThrow().type()).isEqualTo(ConnectionType.STREAMING);
        assertThat(diagnosticsBytesTx("s-sse")).isEqualTo(expected);
        next.release();
      }
      assertThat(in.read()).isEqualTo(-1);
    }
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void asyncStreamFromAnotherThreadKeepsItsRowAfterTheServletReturns() throws Exception {
    int events = 4;
    Semaphore next = new Semaphore(0);
    CountDownLatch chainReturned = new CountDownLatch(1);
    Filter outer =
        (req, res, chain) -> {
          chain.doFilter(req, res);
          chainReturned.countDown();
        };
    HttpServlet streaming =
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/event-stream");
              AsyncContext async = req.startAsync();
              async.setTimeout(0);
              workers.submit(
                  () -> {
                    try {
                      await(chainReturned);
                      // the AsyncContext's response is the tracked one: these bytes count
                      ServletOutputStream out = async.getResponse().getOutputStream();
                      for (int i = 0; i < events; i++) {
                        out.write(event(i));
                        out.flush();
                        acquire(next);
                      }
                    } finally {
                      async.complete();
                    }
                    return null;
                  });
            });
    deploy(
        List.of(mount(outer), mount(trackingFilter())), List.of(new ServletMount(streaming, "/*")));

    HttpResponse<InputStream> r =
        CLIENT.send(get("/async", "s-async"), BodyHandlers.ofInputStream());
    long received = 0;
    try (InputStream in = r.body()) {
      for (int i = 0; i < events; i++) {
        byte[] e = readEvent(in);
        received += e.length;
        long expected = received;
        await("row shows " + expected + " bytes", () -> rowTx("s-async") == expected);
        assertThat(chainReturned.getCount()).isZero();
        next.release();
      }
      assertThat(in.read()).isEqualTo(-1);
    }
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void nonBlockingWritesWorkThroughTheWrapper() throws Exception {
    byte[] chunk = bytes(8 * 1024, 3);
    int chunks = 256;
    AtomicInteger callbacks = new AtomicInteger();
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              AsyncContext async = req.startAsync();
              ServletOutputStream out = res.getOutputStream();
              AtomicInteger remaining = new AtomicInteger(chunks);
              out.setWriteListener(
                  new WriteListener() {
                    @Override
                    public void onWritePossible() throws IOException {
                      callbacks.incrementAndGet();
                      while (out.isReady()) {
                        if (remaining.getAndDecrement() <= 0) {
                          async.complete();
                          return;
                        }
                        out.write(chunk);
                      }
                    }

                    @Override
                    public void onError(Throwable t) {
                      async.complete();
                    }
                  });
            }));

    HttpResponse<InputStream> r = CLIENT.send(get("/nio", "s-nio"), BodyHandlers.ofInputStream());
    long received;
    try (InputStream in = r.body()) {
      received = in.transferTo(OutputStream.nullOutputStream());
    }

    assertThat(received).isEqualTo((long) chunk.length * chunks);
    assertThat(callbacks.get()).isPositive();
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
    assertThat(backend().ended().completed()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- how requests end

  @Test
  void exceptionInTheServletEndsTheRowAsErrored() throws Exception {
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              throw new IllegalStateException("backend exploded");
            }));

    HttpResponse<String> r = CLIENT.send(get("/boom", "s-boom"), BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(500);
    awaitNoRows();
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void asyncTimeoutEndsTheRowAsErroredOnce() throws Exception {
    List<String> appSaw = Collections.synchronizedList(new ArrayList<>());
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              AsyncContext async = req.startAsync();
              async.addListener(recording(appSaw));
              async.setTimeout(200);
            }));

    HttpResponse<String> r = CLIENT.send(get("/timeout", "s-timeout"), BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(500);
    awaitNoRows();
    await("the application's listener saw the end", () -> appSaw.contains("complete"));
    // timeout and complete both fired; the row ended once, as errored
    assertThat(appSaw).contains("timeout", "complete");
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @ParameterizedTest
  @EnumSource(Output.class)
  void clientDisconnectMidStreamEndsTheRowWithinASecond(Output output) throws Exception {
    CountDownLatch servletExited = new CountDownLatch(1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/event-stream");
              byte[] chunk = ascii(1024, 7);
              long deadline = System.nanoTime() + WAIT.toNanos();
              try {
                if (output == Output.STREAM) {
                  ServletOutputStream out = res.getOutputStream();
                  while (System.nanoTime() < deadline) {
                    out.write(chunk);
                    out.flush(); // throws once the client is gone
                  }
                } else {
                  PrintWriter w = res.getWriter();
                  while (!w.checkError() && System.nanoTime() < deadline) { // a writer never throws
                    w.write(new String(chunk, US_ASCII));
                  }
                }
              } finally {
                servletExited.countDown();
              }
            }));

    HttpResponse<InputStream> r =
        CLIENT.send(get("/abort", "s-abort"), BodyHandlers.ofInputStream());
    InputStream in = r.body();
    assertThat(in.readNBytes(3 * 1024)).hasSize(3 * 1024);
    in.close();

    awaitNoRows(Duration.ofSeconds(1));
    await(servletExited);
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
  }

  @Test
  void clientDisconnectDuringAnAsyncStreamEndsTheRowOnce() throws Exception {
    List<String> appSaw = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch writerExited = new CountDownLatch(1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              AsyncContext async = req.startAsync();
              async.setTimeout(0);
              async.addListener(recording(appSaw));
              workers.submit(
                  () -> {
                    byte[] chunk = ascii(1024, 8);
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    try {
                      ServletOutputStream out = async.getResponse().getOutputStream();
                      while (System.nanoTime() < deadline) {
                        out.write(chunk);
                        out.flush();
                      }
                    } catch (IOException expected) {
                      // the client went away
                    } finally {
                      writerExited.countDown();
                      async.complete();
                    }
                    return null;
                  });
            }));

    HttpResponse<InputStream> r =
        CLIENT.send(get("/async-abort", "s-async-abort"), BodyHandlers.ofInputStream());
    InputStream in = r.body();
    assertThat(in.readNBytes(4096)).hasSize(4096);
    in.close();

    awaitNoRows(Duration.ofSeconds(1));
    await(writerExited);
    await("the application's listener saw the end", () -> appSaw.contains("complete"));
    // Tomcat reports the error and the completion, Jetty only the completion; either way the
    // row ended once
    assertThat(appSaw).containsAnyOf("error", "complete");
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
  }

  @Test
  void asyncWorkThatCompletesBeforeTheServletReturnsIsStillSeen() throws Exception {
    byte[] body = bytes(3000, 9);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              AsyncContext async = req.startAsync();
              CountDownLatch done = new CountDownLatch(1);
              workers.submit(
                  () -> {
                    try {
                      async.getResponse().getOutputStream().write(body);
                    } finally {
                      async.complete();
                      done.countDown();
                    }
                    return null;
                  });
              await(done); // the whole async cycle finished inside chain.doFilter
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/quick", "s-quick"), BodyHandlers.ofByteArray());

    assertThat(r.body()).isEqualTo(body);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(body.length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void asyncDispatchIsNotTrackedOrCountedTwice() throws Exception {
    byte[] body = bytes(5000, 10);
    AtomicReference<RequestActivity> first = new AtomicReference<>();
    AtomicReference<RequestActivity> second = new AtomicReference<>();
    AtomicInteger passes = new AtomicInteger();
    HttpServlet dispatching =
        servlet(
            (req, res) -> {
              passes.incrementAndGet();
              if (req.getDispatcherType() == DispatcherType.REQUEST) {
                first.set(ServletActivity.of(req));
                attach(req);
                req.startAsync().dispatch();
              } else {
                second.set(ServletActivity.of(req));
                res.getOutputStream().write(body);
              }
            });
    Filter filter = trackingFilter();
    deploy(
        List.of(
            new FilterMount(
                filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), Map.of())),
        List.of(new ServletMount(dispatching, "/*")));

    HttpResponse<byte[]> r =
        CLIENT.send(get("/dispatch", "s-dispatch"), BodyHandlers.ofByteArray());

    assertThat(r.body()).isEqualTo(body);
    assertThat(passes.get()).isEqualTo(2);
    assertThat(second.get()).isSameAs(first.get());
    assertThat(first.get().isTracking()).isTrue();
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(body.length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  // ---------------------------------------------------------------- joins and load

  @Test
  void twoRequestsOfOneSessionJoinOneRowAndEndTogether() throws Exception {
    CountDownLatch attached = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.getOutputStream().write(bytes(100, 11));
              res.getOutputStream().flush();
              attached.countDown();
              await(release);
              res.getOutputStream().write(bytes(50, 12));
            }));

    CompletableFuture<HttpResponse<byte[]>> a =
        CLIENT.sendAsync(get("/join", "shared"), BodyHandlers.ofByteArray());
    CompletableFuture<HttpResponse<byte[]>> b =
        CLIENT.sendAsync(get("/join", "shared"), BodyHandlers.ofByteArray());
    await(attached);
    await(
        "two requests on one row",
        () -> row("shared").map(ConnectionSnapshot::requests).orElse(0) == 2);
    assertThat(tracker.activeConnections()).isEqualTo(1);
    await("both first writes counted", () -> rowTx("shared") == 200);
    release.countDown();

    assertThat(a.get(10, SECONDS).body()).hasSize(150);
    assertThat(b.get(10, SECONDS).body()).hasSize(150);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(300);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void aThousandRequestsWithRandomClientAbortsLeaveNoRows() throws Exception {
    AtomicInteger attaches = new AtomicInteger();
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              attaches.incrementAndGet();
              ServletOutputStream out = res.getOutputStream();
              for (int i = 0; i < 4; i++) {
                out.write(bytes(512, i));
                out.flush();
              }
            }));

    Random random = new Random(7);
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      assertThat(inFlight.tryAcquire(10, SECONDS)).isTrue();
      HttpRequest request = get("/load", "s-" + i);
      CompletableFuture<?> f;
      switch (random.nextInt(3)) {
        case 0: // read it all
          f = CLIENT.sendAsync(request, BodyHandlers.ofByteArray());
          break;
        case 1: // read a little, then hang up
          f =
              CLIENT
                  .sendAsync(request, BodyHandlers.ofInputStream())
                  .thenAcceptAsync(r -> closeAfter(r.body(), 100), workers);
          break;
        default: // give up at once
          f = CLIENT.sendAsync(request, BodyHandlers.ofByteArray());
          f.cancel(true);
          break;
      }
      f.whenComplete((v, e) -> inFlight.release());
      all.add(f);
    }
    for (CompletableFuture<?> f : all) {
      try {
        f.get(30, SECONDS);
      } catch (Exception expected) {
        // aborted or cancelled: what the server does about it is what we check
      }
    }

    await(
        "every attached request ended, no rows left",
        Duration.ofSeconds(15),
        () ->
            tracker.activeConnections() == 0 && backend().completedConnections() == attaches.get());
    assertThat(attaches.get()).isGreaterThan(300);
    BackendSnapshot s = backend();
    assertThat(s.connections()).isEmpty();
    assertThat(s.completedConnections()).isEqualTo(attaches.get());
    assertThat(s.ended().completed()).isPositive();
    assertThat(s.cumulativeBytesTx()).isLessThanOrEqualTo(2048L * attaches.get());
  }

  // ---------------------------------------------------------------- wrapper faithfulness

  @Test
  void disabledTrackingHandsTheServletTheContainersOwnObjects() throws Exception {
    AtomicReference<Object> sawResponse = new AtomicReference<>();
    AtomicReference<Object> sawRequest = new AtomicReference<>();
    AtomicReference<RequestActivity> sawActivity = new AtomicReference<>();
    HttpServlet recording =
        servlet(
            (req, res) -> {
              sawRequest.set(req);
              sawResponse.set(res);
              sawActivity.set(ServletActivity.of(req));
              ServletActivity.of(req).attach(BACKEND, MODEL, ConnectionType.STREAMING);
              res.getOutputStream().write(bytes(10, 1));
            });
    deploy(
        List.of(
            new FilterMount(
                ActivityFilter.builder().tracker(ActivityTracker.disabled()).build(),
                "/explicit/*",
                EnumSet.of(DispatcherType.REQUEST),
                Map.of()),
            new FilterMount(
                new ActivityFilter(), "/global/*", EnumSet.of(DispatcherType.REQUEST), Map.of())),
        List.of(new ServletMount(recording, "/*")));

    for (String path : List.of("/explicit/x", "/global/x")) {
      assertThat(ActivityTracker.global().isEnabled()).isFalse();
      assertThat(CLIENT.send(get(path, "s-off"), BodyHandlers.ofByteArray()).body()).hasSize(10);
      assertThat(sawResponse.get()).isNotInstanceOf(ServletResponseWrapper.class);
      assertThat(sawResponse.get().getClass().getName()).startsWith(containerPackage());
      assertThat(sawRequest.get().getClass().getName()).startsWith(containerPackage());
      assertThat(sawActivity.get()).isSameAs(RequestActivity.disabled());
    }
    assertThat(tracker.getBackendSnapshot(BACKEND)).isEmpty();
  }

  @Test
  void getWriterAfterGetOutputStreamFailsExactlyAsTheContainerDoes() throws Exception {
    Handler mixing =
        (req, res) -> {
          String outcome;
          if (req.getPathInfo().endsWith("/stream-first")) {
            ServletOutputStream out = res.getOutputStream();
            outcome = outcome(() -> res.getWriter());
            out.write(outcome.getBytes(UTF_8));
          } else {
            PrintWriter w = res.getWriter();
            outcome = outcome(() -> res.getOutputStream());
            w.write(outcome);
          }
        };
    deploy(
        List.of(mount(trackingFilter(), "/tracked/*")),
        List.of(
            new ServletMount(servlet(mixing), "/tracked/*"),
            new ServletMount(servlet(mixing), "/raw/*")));

    for (String order : List.of("/stream-first", "/writer-first")) {
      String tracked =
          CLIENT.send(get("/tracked" + order, "s-mix"), BodyHandlers.ofString()).body();
      String raw = CLIENT.send(get("/raw" + order, "s-mix"), BodyHandlers.ofString()).body();
      assertThat(tracked).as(order).isEqualTo(raw).startsWith("threw ");
    }
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void sessionIdComesFromTheConfiguredHeaderOrIsGenerated() throws Exception {
    deploy(
        ActivityFilter.builder().tracker(tracker).sessionIdHeader("X-Conversation").build(),
        servlet(
            (req, res) -> {
              attach(req);
              res.getWriter().write(String.valueOf(ServletActivity.of(req).sessionId()));
            }));

    HttpRequest withHeader =
        HttpRequest.newBuilder(uri("/x")).header("X-Conversation", "conv-42").build();
    assertThat(CLIENT.send(withHeader, BodyHandlers.ofString()).body()).isEqualTo("conv-42");
    // the default header is not read once another one is configured
    assertThat(CLIENT.send(get("/x", "ignored"), BodyHandlers.ofString()).body())
        .startsWith("gen-");
  }

  @Test
  void initParamsCreateAndPublishTheFiltersOwnTracker() throws Exception {
    AtomicReference<Object> published = new AtomicReference<>();
    HttpServlet probe =
        servlet(
            (req, res) -> {
              published.set(req.getServletContext().getAttribute(ActivityFilter.TRACKER_ATTRIBUTE));
              ServletActivity.of(req).attach(BACKEND, MODEL, ConnectionType.NON_STREAMING);
              res.getWriter()
                  .write(
                      ServletActivity.of(req).sessionId()
                          + " "
                          + ServletActivity.of(req).isTracking());
            });
    deploy(
        List.of(
            new FilterMount(
                new ActivityFilter(),
                "/*",
                EnumSet.of(DispatcherType.REQUEST),
                Map.of(
                    ActivitySettings.KEY_ENABLED,
                    "true",
                    ActivitySettings.KEY_SWEEP_INTERVAL,
                    "0",
                    ActivityFilter.PARAM_SESSION_ID_HEADER,
                    "X-Conv"))),
        List.of(
            new ServletMount(probe, "/*"),
            new ServletMount(
                new DiagnosticsServlet(),
                "/v1/diagnostics/*",
                Map.of(DiagnosticsServlet.PARAM_SESSION_ID_DISPLAY, "truncated"))));

    HttpRequest request = HttpRequest.newBuilder(uri("/p")).header("X-Conv", "c-1").build();
    assertThat(CLIENT.send(request, BodyHandlers.ofString()).body()).isEqualTo("c-1 true");
    // the diagnostics servlet found the filter's tracker, not the (disabled) global one
    JsonNode doc =
        MAPPER.readTree(CLIENT.send(get("/v1/diagnostics", "p"), BodyHandlers.ofString()).body());
    assertThat(doc.get("activity_tracking_enabled").asBoolean()).isTrue();
    ActivityTracker own = (ActivityTracker) published.get();
    assertThat(own).isNotNull().isNotSameAs(tracker);
    await("the row ended", () -> own.activeConnections() == 0);
    assertThat(own.getBackendSnapshot(BACKEND).orElseThrow().ended().completed()).isEqualTo(1);

    stopContainer();
    assertThat(own.isEnabled()).as("closed by destroy()").isFalse();
  }

  // ---------------------------------------------------------------- diagnostics endpoint

  static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void diagnosticsFromLoopbackShowTheOpenRowWithTheSeedsKeys() throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.getOutputStream().write(bytes(321, 1));
              res.flushBuffer();
              attached.countDown();
              await(release);
            }));
    CompletableFuture<HttpResponse<byte[]>> held =
        CLIENT.sendAsync(get("/held", "s-held"), BodyHandlers.ofByteArray());
    try {
      await(attached);
      await("bytes counted", () -> rowTx("s-held") == 321);

      HttpResponse<String> r =
          CLIENT.send(get("/v1/diagnostics", "poller"), BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertJsonHeaders(r);
      JsonNode doc = MAPPER.readTree(r.body());
      assertThat(fields(doc))
          .contains("timestamp", "activity_tracking_enabled", "instances", "global_activity");
      assertThat(doc.get("timestamp").isNumber()).isTrue();
      assertThat(doc.get("activity_tracking_enabled").asBoolean()).isTrue();
      JsonNode instance = doc.get("instances").get(0);
      assertThat(fields(instance))
          .contains(
              "name",
              "connector_type",
              "is_rate_limited",
              "is_functional",
              "validation_errors",
              "models",
              "activity");
      assertThat(instance.get("name").asText()).isEqualTo(BACKEND);
      assertThat(instance.get("connector_type").asText()).isEqualTo("openai");
      JsonNode activity = instance.get("activity");
      assertThat(fields(activity))
          .contains("active_connections", "connections", "total_bytes_rx", "total_bytes_tx");
      assertThat(activity.get("active_connections").asInt()).isEqualTo(1);
      JsonNode row = activity.get("connections").get(0);
      assertThat(fields(row))
          .contains(
              "session_id",
              "connection_type",
              "started_at",
              "duration_seconds",
              "model",
              "bytes_rx",
              "bytes_tx");
      assertThat(row.get("session_id").asText()).isEqualTo("s-held");
      assertThat(row.get("connection_type").asText()).isEqualTo("streaming");
      assertThat(row.get("model").asText()).isEqualTo(MODEL);
      assertThat(row.get("started_at").isNumber()).isTrue();
      assertThat(row.get("bytes_tx").asLong()).isEqualTo(321);
      assertThat(row.get("bytes_rx").asLong()).isZero();
      JsonNode global = doc.get("global_activity");
      assertThat(fields(global))
          .contains("total_active_connections", "total_bytes_rx", "total_bytes_tx", "enabled");
      assertThat(global.get("total_active_connections").asInt()).isEqualTo(1);
      assertThat(global.get("total_bytes_tx").asLong()).isEqualTo(321);

      HttpResponse<String> light =
          CLIENT.send(get("/v1/diagnostics/activity", "poller"), BodyHandlers.ofString());
      assertThat(light.statusCode()).isEqualTo(200);
      assertJsonHeaders(light);
      JsonNode summary = MAPPER.readTree(light.body());
      assertThat(fields(summary))
          .contains("total_active_connections", "total_bytes_rx", "total_bytes_tx", "enabled");
      assertThat(summary.get("total_active_connections").asInt()).isEqualTo(1);
      assertThat(summary.get("total_bytes_tx").asLong()).isEqualTo(321);
    } finally {
      release.countDown();
    }
    assertThat(held.get(10, SECONDS).body()).hasSize(321);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "X-Forwarded-For: 127.0.0.1",
        "Forwarded: for=127.0.0.1",
        "X-Real-IP: 127.0.0.1",
        "Host: evil.example.com",
        "Host: 127.0.0.1.nip.io",
        "Origin: http://evil.example.com"
      })
  void diagnosticsRefuseProxiedAndForeignRequests(String header) throws Exception {
    deploy(servlet((req, res) -> res.setStatus(204)));
    String[] h = header.split(": ", 2);

    for (String path : List.of("/v1/diagnostics", "/v1/diagnostics/activity")) {
      HttpRequest request = HttpRequest.newBuilder(uri(path)).header(h[0], h[1]).build();
      HttpResponse<String> r = CLIENT.send(request, BodyHandlers.ofString());
      assertThat(r.statusCode()).as(header + " " + path).isEqualTo(403);
      assertJsonHeaders(r);
      assertThat(MAPPER.readTree(r.body()).has("error")).isTrue();
      assertThat(r.body()).doesNotContain("Exception", "backend-a");
    }
  }

  @Test
  void diagnosticsAnswerOnlyGetAndHead() throws Exception {
    deploy(servlet((req, res) -> res.setStatus(204)));

    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      HttpRequest request =
          HttpRequest.newBuilder(uri("/v1/diagnostics"))
              .method(method, HttpRequest.BodyPublishers.ofString("{}"))
              .build();
      HttpResponse<String> r = CLIENT.send(request, BodyHandlers.ofString());
      assertThat(r.statusCode()).as(method).isEqualTo(405);
      assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
      assertJsonHeaders(r);
    }
    HttpRequest head =
        HttpRequest.newBuilder(uri("/v1/diagnostics/activity"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> r = CLIENT.send(head, BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertJsonHeaders(r);
    assertThat(r.headers().firstValueAsLong("content-length").orElse(0)).isPositive();
    assertThat(r.body()).isEmpty();
  }

  @Test
  void diagnosticsWithTrackingOffSayItIsOff() throws Exception {
    deploy(
        List.of(),
        List.of(new ServletMount(diagnostics(ActivityTracker.disabled()), "/v1/diagnostics/*")));

    JsonNode doc =
        MAPPER.readTree(CLIENT.send(get("/v1/diagnostics", "p"), BodyHandlers.ofString()).body());
    assertThat(doc.get("activity_tracking_enabled").asBoolean(true)).isFalse();
    assertThat(doc.get("global_activity").get("enabled").asBoolean(true)).isFalse();
    assertThat(doc.get("instances").get(0).get("activity").isNull()).isTrue();
    JsonNode summary =
        MAPPER.readTree(
            CLIENT.send(get("/v1/diagnostics/activity", "p"), BodyHandlers.ofString()).body());
    assertThat(summary.get("enabled").asBoolean(true)).isFalse();
    assertThat(summary.get("total_active_connections").asInt()).isZero();
  }

  @Test
  void diagnosticsWorkOnExactPathsAndUnderAPrefix() throws Exception {
    deploy(
        List.of(),
        List.of(
            new ServletMount(diagnostics(tracker), "/v1/diagnostics"),
            new ServletMount(diagnostics(tracker), "/v1/diagnostics/activity"),
            new ServletMount(diagnostics(tracker), "/admin/*")));

    for (String prefix : List.of("", "/admin")) {
      HttpResponse<String> full =
          CLIENT.send(get(prefix + "/v1/diagnostics", "p"), BodyHandlers.ofString());
      assertThat(full.statusCode()).isEqualTo(200);
      assertThat(MAPPER.readTree(full.body()).has("instances")).isTrue();
      HttpResponse<String> light =
          CLIENT.send(get(prefix + "/v1/diagnostics/activity", "p"), BodyHandlers.ofString());
      assertThat(light.statusCode()).isEqualTo(200);
      assertThat(MAPPER.readTree(light.body()).has("instances")).isFalse();
      assertThat(MAPPER.readTree(light.body()).has("total_active_connections")).isTrue();
    }
    HttpResponse<String> other = CLIENT.send(get("/admin/v1/other", "p"), BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(404);
    assertJsonHeaders(other);
  }

  static void assertJsonHeaders(HttpResponse<?> r) {
    assertThat(
            r.headers()
                .firstValue("content-type")
                .orElseThrow()
                .replace(" ", "")
                .toLowerCase(Locale.ROOT))
        .isEqualTo("application/json;charset=utf-8");
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(r.headers().map().keySet())
        .noneMatch(k -> k.toLowerCase(Locale.ROOT).startsWith("access-control-"));
  }

  static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  // ================================================================= helpers

  /** A servlet body; may throw anything. */
  @FunctionalInterface
  interface Handler {
    void handle(HttpServletRequest req, HttpServletResponse res) throws Exception;
  }

  static HttpServlet servlet(Handler handler) {
    return new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res)
          throws ServletException, IOException {
        try {
          handler.handle(req, res);
        } catch (IOException | ServletException | RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new ServletException(e);
        }
      }
    };
  }

  Filter trackingFilter() {
    return ActivityFilter.builder().tracker(tracker).build();
  }

  static FilterMount mount(Filter filter) {
    return mount(filter, "/*");
  }

  static FilterMount mount(Filter filter, String pattern) {
    return new FilterMount(filter, pattern, EnumSet.of(DispatcherType.REQUEST), Map.of());
  }

  void deploy(HttpServlet servlet) throws Exception {
    deploy(trackingFilter(), servlet);
  }

  /** The filter on everything, the servlet on {@code /*}, diagnostics on their own paths. */
  void deploy(Filter filter, HttpServlet servlet) throws Exception {
    deploy(
        List.of(mount(filter)),
        List.of(
            new ServletMount(servlet, "/*"),
            new ServletMount(diagnostics(tracker), "/v1/diagnostics/*")));
  }

  static DiagnosticsServlet diagnostics(ActivityTracker t) {
    return new DiagnosticsServlet(
        () -> t,
        BackendDirectory.of(List.of(BackendDescription.of(BACKEND, "openai", List.of(MODEL)))),
        SessionIdDisplay.FULL);
  }

  void deploy(List<FilterMount> filters, List<ServletMount> servlets) throws Exception {
    container = start(filters, servlets);
  }

  void stopContainer() throws Exception {
    Container c = container;
    container = null;
    c.close();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + container.port() + path);
  }

  HttpRequest get(String path, String sessionId) {
    return HttpRequest.newBuilder(uri(path))
        .header(ActivityFilter.DEFAULT_SESSION_ID_HEADER, sessionId)
        .timeout(WAIT)
        .build();
  }

  static void attach(HttpServletRequest req) {
    ServletActivity.of(req).attach(BACKEND, MODEL, ConnectionType.STREAMING);
  }

  BackendSnapshot backend() {
    return tracker.getBackendSnapshot(BACKEND).orElseThrow();
  }

  Optional<ConnectionSnapshot> row(String sessionId) {
    return tracker.getBackendSnapshot(BACKEND).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(sessionId))
        .findFirst();
  }

  long rowTx(String sessionId) {
    return row(sessionId).map(ConnectionSnapshot::bytesTx).orElse(-1L);
  }

  /** The row's {@code bytes_tx} as a client of the diagnostics endpoint sees it. */
  long diagnosticsBytesTx(String sessionId) throws Exception {
    HttpResponse<String> r = CLIENT.send(get("/v1/diagnostics", "poller"), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return DiagnosticsJson.parseDiagnostics(r.body()).instances().stream()
        .filter(i -> i.name().equals(BACKEND))
        .flatMap(i -> i.activity().connections().stream())
        .filter(c -> c.sessionId().equals(sessionId))
        .mapToLong(ConnectionView::bytesTx)
        .findFirst()
        .orElse(-1);
  }

  void awaitNoRows() {
    awaitNoRows(WAIT);
  }

  void awaitNoRows(Duration timeout) {
    await("no rows left", timeout, () -> tracker.activeConnections() == 0);
  }

  static void await(String what, BooleanSupplier condition) {
    await(what, WAIT, condition);
  }

  /** Polls an asynchronous condition until a deadline. */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("timed out after " + timeout + " waiting for: " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  static void await(CountDownLatch latch) throws InterruptedException {
    if (!latch.await(WAIT.toSeconds(), SECONDS)) {
      throw new IllegalStateException("latch not released in " + WAIT);
    }
  }

  static void acquire(Semaphore semaphore) throws InterruptedException {
    if (!semaphore.tryAcquire(WAIT.toSeconds(), SECONDS)) {
      throw new IllegalStateException("permit not released in " + WAIT);
    }
  }

  /** Reads one SSE event (up to and including its blank line), failing after a timeout. */
  byte[] readEvent(InputStream in) throws Exception {
    Future<byte[]> read =
        workers.submit(
            () -> {
              ByteArrayOutputStream event = new ByteArrayOutputStream();
              int previous = -1;
              for (int b; (b = in.read()) >= 0; ) {
                event.write(b);
                if (b == '\n' && previous == '\n') {
                  break;
                }
                previous = b;
              }
              return event.toByteArray();
            });
    return read.get(WAIT.toSeconds(), SECONDS);
  }

  static byte[] event(int i) {
    return ("event: token\ndata: {\"i\":"
            + i
            + ",\"text\":\""
            + "x".repeat(20 + 37 * i)
            + "\"}\n\n")
        .getBytes(UTF_8);
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] ascii(int n, int seed) {
    byte[] b = new byte[n];
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + r.nextInt(26));
    }
    return b;
  }

  static byte[] concat(List<byte[]> chunks) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    chunks.forEach(all::writeBytes);
    return all.toByteArray();
  }

  static void closeAfter(InputStream in, int n) {
    try (in) {
      in.readNBytes(n);
    } catch (IOException ignored) {
      // the hang-up is the point
    }
  }

  /** What calling {@code action} did, as text: "threw <exception class>" or "returned". */
  static String outcome(ThrowingAction action) {
    try {
      action.run();
      return "returned";
    } catch (Exception e) {
      return "threw " + e.getClass().getName();
    }
  }

  @FunctionalInterface
  interface ThrowingAction {
    void run() throws Exception;
  }

  static AsyncListener recording(List<String> events) {
    return new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        events.add("complete");
      }

      @Override
      public void onTimeout(AsyncEvent event) {
        events.add("timeout");
      }

      @Override
      public void onError(AsyncEvent event) {
        events.add("error");
      }

      @Override
      public void onStartAsync(AsyncEvent event) {
        events.add("start");
      }
    };
  }
}
