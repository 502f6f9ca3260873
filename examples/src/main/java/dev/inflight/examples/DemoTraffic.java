package dev.inflight.examples;

import dev.inflight.activity.RequestActivity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Simulated clients for the demo: N concurrent sessions, each sending a mix of streaming and
 * non-streaming chat completions of different lengths to the proxy, with short pauses, until {@link
 * #close()}. Each session keeps its id for a few requests, then starts a new one.
 */
final class DemoTraffic implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(DemoTraffic.class.getName());
  private static final int[] LENGTHS = {8, 24, 60, 120, 250, 500};

  private final URI completions;
  private final List<String> models;
  private final HttpClient http;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final List<Thread> sessions = new ArrayList<>();

  /** Bodies being read; closed on stop, since a blocked read ignores interrupts. */
  private final Set<InputStream> reading = ConcurrentHashMap.newKeySet();

  private DemoTraffic(URI proxyBase, List<String> models, @Nullable SSLContext tls) {
    this.completions = proxyBase.resolve("/v1/chat/completions");
    this.models = List.copyOf(models);
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (tls == null) {
      builder.version(HttpClient.Version.HTTP_1_1);
    } else {
      // over TLS the sessions speak HTTP/2, negotiated by ALPN, all on one connection
      builder.version(HttpClient.Version.HTTP_2).sslContext(tls);
    }
    this.http = builder.build();
  }

  /**
   * Starts the sessions.
   *
   * @param proxyBase e.g. {@code http://127.0.0.1:8000/}, or {@code https://...} with {@code tls}
   * @param models the models to pick from
   * @param count how many concurrent sessions
   * @param tls the client TLS context for an {@code https} proxy, or null
   * @return the running traffic
   */
  static DemoTraffic start(
      URI proxyBase, List<String> models, int count, @Nullable SSLContext tls) {
    DemoTraffic traffic = new DemoTraffic(proxyBase, models, tls);
    for (int i = 1; i <= count; i++) {
      Thread t = new Thread(traffic::session, "demo-traffic-" + i);
      t.setDaemon(true);
      traffic.sessions.add(t);
      t.start();
    }
    return traffic;
  }

  private void session() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    try {
      while (stop.getCount() > 0) {
        String sessionId = String.format(Locale.ROOT, "%016x", random.nextLong());
        int requests = 1 + random.nextInt(4);
        for (int r = 0; r < requests && stop.getCount() > 0; r++) {
          String model = models.get(random.nextInt(models.size()));
          boolean streaming = random.nextInt(100) < 65;
          int tokens = LENGTHS[random.nextInt(LENGTHS.length)];
          send(sessionId, model, streaming, tokens);
          if (stop.await(100 + random.nextInt(1400), TimeUnit.MILLISECONDS)) {
            return;
          }
        }
      }
    } catch (InterruptedException e) {
      // stopping
    }
  }

  private void send(String sessionId, String model, boolean streaming, int tokens)
      throws InterruptedException {
    String body =
        String.format(
            Locale.ROOT,
            "{\"model\":\"%s\",\"stream\":%b,\"max_tokens\":%d,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about request %d.\"}]}",
            model,
            streaming,
            tokens,
            tokens);
    HttpRequest request =
        HttpRequest.newBuilder(completions)
            .header("Content-Type", "application/json")
            .header(RequestActivity.DEFAULT_SESSION_HEADER, sessionId)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        reading.add(in);
        if (stop.getCount() == 0) {
          return;
        }
        in.transferTo(OutputStream.nullOutputStream());
      } finally {
        reading.remove(response.body());
      }
    } catch (IOException e) {
      if (stop.getCount() > 0) {
        LOG.log(System.Logger.Level.DEBUG, "demo request failed: " + e);
        stop.await(1, TimeUnit.SECONDS);
      }
    }
  }

  /** Asks every session to stop, cutting short its wait or request in progress. */
  void signalStop() {
    stop.countDown();
    for (Thread t : sessions) {
      t.interrupt();
    }
    for (InputStream in : reading) {
      try {
        in.close();
      } catch (IOException e) {
        // closing only to unblock the reader
      }
    }
  }

  /** Stops every session and waits (bounded) for them to finish. */
  @Override
  public void close() {
    signalStop();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    for (Thread t : sessions) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
