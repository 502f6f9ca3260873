package dev.inflight.activity.cli.internal;

import dev.inflight.activity.json.DiagnosticsDocument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Several proxies read together: every proxy is fetched in parallel on a bounded pool of daemon
 * threads, and each gets at most the timeout (a proxy that sends its headers and then stalls is cut
 * off too), so one slow or dead proxy never holds up the others' view.
 *
 * <p>Thread safety: {@link #readAll()} is called from one thread at a time (the command's).
 */
final class Fleet implements AutoCloseable {

  /** The most proxies read at the same time. */
  static final int MAX_THREADS = 8;

  /** Time beyond the timeout for a fetch to report its own failure before it is cut off. */
  private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /**
   * One proxy of the fleet.
   *
   * @param url the URL as the user typed it (the key of the raw view)
   * @param label the short name shown in the Proxy column, e.g. {@code 127.0.0.1:8001}
   * @param client reads its diagnostics document
   */
  record Proxy(String url, String label, DiagnosticsClient client) {
    Proxy {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(client, "client");
    }
  }

  /**
   * What one read of one proxy gave: the document and its text, or why there is none. Exactly one
   * of {@code doc} and {@code error} is null.
   *
   * @param proxy the proxy
   * @param body the document as the proxy sent it, or null
   * @param doc the parsed document, or null
   * @param error why it could not be read, or null
   */
  record Reading(
      Proxy proxy,
      @Nullable String body,
      @Nullable DiagnosticsDocument doc,
      @Nullable FetchException error) {
    Reading {
      Objects.requireNonNull(proxy, "proxy");
      if ((doc == null) == (error == null) || (doc == null) != (body == null)) {
        throw new IllegalArgumentException("a reading holds a document or an error");
      }
    }

    static Reading of(Proxy proxy, String body, DiagnosticsDocument doc) {
      return new Reading(proxy, body, doc, null);
    }

    static Reading failed(Proxy proxy, FetchException error) {
      return new Reading(proxy, null, null, error);
    }
  }

  private final List<Proxy> proxies;
  private final Duration timeout;
  private final int threads;
  private final ExecutorService pool;

  /**
   * @param proxies the proxies, in the order they are shown
   * @param timeout the most each proxy is waited for
   * @param maxThreads the most proxies read at the same time
   */
  Fleet(List<Proxy> proxies, Duration timeout, int maxThreads) {
    this.proxies = List.copyOf(proxies);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (this.proxies.isEmpty() || maxThreads < 1) {
      throw new IllegalArgumentException("a fleet needs proxies and threads");
    }
    this.threads = Math.min(maxThreads, this.proxies.size());
    this.pool = Executors.newFixedThreadPool(threads, new DaemonThreads());
  }

  List<Proxy> proxies() {
    return proxies;
  }

  /**
   * Reads every proxy, in parallel.
   *
   * @return one reading per proxy, in the fleet's order
   * @throws InterruptedException if the calling thread is interrupted (Ctrl+C in watch mode); the
   *     fetches in progress are cancelled
   */
  List<Reading> readAll() throws InterruptedException {
    List<Future<Reading>> futures = new ArrayList<>(proxies.size());
    for (Proxy proxy : proxies) {
      futures.add(pool.submit(() -> read(proxy)));
    }
    // With more proxies than threads the fetches run in waves; each wave gets the full timeout.
    long waves = (proxies.size() + (long) threads - 1) / threads;
    long deadline = System.nanoTime() + waves * (timeout.toNanos() + GRACE_NANOS);
    List<Reading> readings = new ArrayList<>(proxies.size());
    try {
      for (int i = 0; i < proxies.size(); i++) {
        readings.add(await(proxies.get(i), futures.get(i), deadline));
      }
    } finally {
      for (Future<Reading> f : futures) {
        f.cancel(true);
      }
    }
    return readings;
  }

  private static Reading read(Proxy proxy) throws InterruptedException {
    DiagnosticsClient client = proxy.client();
    try {
      String body = client.fetch();
      return Reading.of(proxy, body, client.parse(body));
    } catch (FetchException e) {
      return Reading.failed(proxy, e);
    }
  }

  private static Reading await(Proxy proxy, Future<Reading> future, long deadline)
      throws InterruptedException {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | CancellationException e) {
      future.cancel(true);
      return Reading.failed(proxy, proxy.client().timedOut());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String detail = cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
      String reason = "unexpected error: " + DiagnosticsClient.oneLine(detail);
      return Reading.failed(
          proxy, new FetchException(reason, proxy.client().endpoint() + ": " + reason));
    }
  }

  /** Stops the threads; a fetch still running is interrupted. */
  @Override
  public void close() {
    pool.shutdownNow();
  }

  /** Named daemon threads: a stuck fetch never keeps the JVM alive. */
  private static final class DaemonThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "inspect-activity-fetch-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
