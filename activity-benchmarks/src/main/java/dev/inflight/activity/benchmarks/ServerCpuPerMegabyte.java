package dev.inflight.activity.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What tracking costs the server, decided by a confidence interval: the CPU time of the server's
 * threads per streamed megabyte, with tracking {@code enabled} against {@code disabled} (and the
 * bare server, {@code none}), measured in paired blocks.
 *
 * <p>Throughput of the end-to-end benchmark cannot decide a 3% difference on a two-core machine:
 * client and server share the cores, so runs scatter by far more than that. CPU time of the
 * server's own threads (from {@link ThreadMXBean}) counts only the work the server did, however the
 * cores were shared. The three servers of {@link EndToEndBenchmark} run side by side in this JVM;
 * each block streams the same rounds through each of them, in a shuffled order, and the ratio
 * enabled / disabled is taken within the block, so slow phases of the machine affect both sides of
 * a ratio alike. The report gives the mean ratio over the measured blocks with its 95% confidence
 * interval (Student's t); the target "enabled costs at most 3% over disabled" is met when the
 * interval lies below 1.03.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.inflight.activity.benchmarks.ServerCpuPerMegabyte
 * [blocks] [rounds-per-block] [warmup-blocks]} (defaults 30, 40, 10).
 */
public final class ServerCpuPerMegabyte {
  private static final String[] VARIANTS = {"none", "disabled", "enabled"};

  private ServerCpuPerMegabyte() {}

  /**
   * Runs the measurement and prints the report.
   *
   * @param args blocks, rounds per block, warmup blocks
   * @throws Exception if a server fails or a stream is short
   */
  public static void main(String[] args) throws Exception {
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isThreadCpuTimeSupported()) {
      throw new IllegalStateException("this JVM cannot measure thread CPU time");
    }
    threads.setThreadCpuTimeEnabled(true);

    List<EndToEndBenchmark.Proxy> proxies = new ArrayList<>();
    for (String variant : VARIANTS) {
      EndToEndBenchmark.Proxy p = new EndToEndBenchmark.Proxy();
      p.variant = variant;
      p.clients = 4;
      p.chunks = 64;
      p.chunkBytes = 256;
      p.setUp();
      proxies.add(p);
    }
    try {
      double[][] perMb = new double[VARIANTS.length][blocks];
      List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
      Random random = new Random(42);
      for (int b = -warmup; b < blocks; b++) {
        Collections.shuffle(order, random);
        for (int v : order) {
          EndToEndBenchmark.Proxy p = proxies.get(v);
          String prefix = EndToEndBenchmark.serverThreadPrefix(VARIANTS[v]);
          long cpuBefore = serverCpu(threads, prefix);
          long bytes = 0;
          for (int r = 0; r < rounds; r++) {
            bytes += EndToEndBenchmark.round(p);
          }
          long cpu = serverCpu(threads, prefix) - cpuBefore;
          if (b >= 0) {
            perMb[v][b] = cpu / (bytes / 1_000_000.0);
          }
        }
      }
      report(perMb, blocks, rounds, warmup);
    } finally {
      for (EndToEndBenchmark.Proxy p : proxies) {
        p.tearDown(); // checks the enabled tracker counted every byte the clients received
      }
    }
  }

  /** CPU nanoseconds used so far by the live threads whose name starts with the prefix. */
  private static long serverCpu(ThreadMXBean threads, String prefix) {
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix)) {
        long ns = threads.getThreadCpuTime(t.getId());
        if (ns > 0) {
          sum += ns;
        }
      }
    }
    return sum;
  }

  private static void report(double[][] perMb, int blocks, int rounds, int warmup) {
    System.out.printf(
        Locale.ROOT,
        "Server CPU per streamed MB: %d paired blocks of %d rounds (after %d warmup blocks)%n",
        blocks,
        rounds,
        warmup);
    System.out.println("| variant | server CPU ms/MB (mean) |");
    System.out.println("| --- | --- |");
    for (int v = 0; v < VARIANTS.length; v++) {
      System.out.printf(Locale.ROOT, "| %s | %.3f |%n", VARIANTS[v], mean(perMb[v]) / 1e6);
    }
    printRatio("enabled / disabled", perMb[2], perMb[1]);
    printRatio("disabled / none", perMb[1], perMb[0]);
    printRatio("enabled / none", perMb[2], perMb[0]);
  }

  private static void printRatio(String name, double[] a, double[] b) {
    double[] ratios = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      ratios[i] = a[i] / b[i];
    }
    double mean = mean(ratios);
    double half = tQuantile975(ratios.length - 1) * stdDev(ratios, mean) / Math.sqrt(ratios.length);
    System.out.printf(
        Locale.ROOT,
        "%s: %.4f, 95%% CI [%.4f, %.4f]%s%n",
        name,
        mean,
        mean - half,
        mean + half,
        name.equals("enabled / disabled")
            ? (mean + half < 1.03 ? " -> target (<= 1.03) met" : " -> target (<= 1.03) not shown")
            : "");
  }

  private static double mean(double[] xs) {
    double sum = 0;
    for (double x : xs) {
      sum += x;
    }
    return sum / xs.length;
  }

  private static double stdDev(double[] xs, double mean) {
    double sum = 0;
    for (double x : xs) {
      sum += (x - mean) * (x - mean);
    }
    return Math.sqrt(sum / (xs.length - 1));
  }

  /** Student's t 97.5% quantile; 1.96 beyond the table. */
  private static double tQuantile975(int df) {
    double[] table = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
      2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
      2.052, 2.048, 2.045, 2.042
    };
    return df >= 1 && df <= table.length ? table[df - 1] : 1.96;
  }
}
