package dev.inflight.activity.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What tracking costs the server, decided by confidence intervals: the CPU time of the server's
 * threads per streamed megabyte, with tracking {@code enabled} against {@code disabled}, the bare
 * server {@code none} and other libraries' request metrics, measured in paired blocks.
 *
 * <p>Throughput of the end-to-end benchmark cannot decide a 1% difference on a two-core machine:
 * client and server share the cores, so runs scatter by far more than that. CPU time of the
 * server's own threads (from {@link ThreadMXBean}, told apart by their name prefix) counts only the
 * work the server did, however the cores were shared. The servers of {@link EndToEndBenchmark} run
 * side by side in this JVM; each block streams the same rounds through each of them, in a shuffled
 * order, and every ratio is taken within the block, so slow phases of the machine affect both sides
 * of a ratio alike. The report gives each ratio as the geometric mean of the blocks' ratios with
 * its 95% confidence interval (Student's t on their logarithms; see {@link Interval} for why not
 * the arithmetic mean), and whether it meets its target:
 *
 * <ul>
 *   <li>{@code enabled / disabled}: mean at most 1.01 and the interval's upper end at most 1.015;
 *   <li>{@code disabled / none}: the interval includes 1.0 or lies below 1.005;
 *   <li>{@code enabled / <peer>} for each peer run ({@code jetty-stats}, {@code micrometer}, {@code
 *       dropwizard}, see {@link JettySseServer}): the interval lies below 1.0;
 *   <li>{@code netty-enabled / netty-disabled} (Spring WebFlux on Reactor Netty, see {@link
 *       NettySseServer}): mean at most 1.02 and the upper end at most 1.03.
 * </ul>
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.inflight.activity.benchmarks.ServerCpuPerMegabyte
 * [blocks] [rounds-per-block] [warmup-blocks] [variant,variant,...]} (defaults 30, 40, 100 and
 * {@code none,disabled,enabled}); {@code all} names the seven Jetty variants (with the control
 * {@code none-2}), {@code netty} the three Reactor Netty ones, {@code switched} the four variants
 * of one Jetty server switched between them (see {@link JettySseServer#SWITCHED}: the bare servlet
 * twice, tracking off, tracking on), {@code switched-all} those and the three peers on the same
 * server ({@link JettySseServer#SWITCHED_PEERS}), {@code netty-switched} the same for one Reactor
 * Netty server (see {@link NettySseServer#SWITCHED}), e.g. {@code 40 40 100 all}, {@code 40 40 100
 * netty} or {@code 200 40 100 switched}. The warmup matters: code that runs once per request
 * (opening and ending a row, the wrappers) is compiled by the optimising compiler only after some
 * ten thousand requests, while code that runs per write is compiled long before; 100 warmup blocks
 * of 40 rounds are 16,000 requests per server. With a handful of warmup blocks, the per-request
 * code still runs in its profiling tier while it is measured.
 *
 * <p>Across JVMs: with {@code -Dinflight.jvms=N}, the same measurement runs in N fresh JVMs one
 * after the other, and the report's intervals are taken over the JVMs (see {@link #acrossJvms}).
 * That is the reading to decide a target by: two JVMs running the same code differ by more than one
 * run's interval. (Not with {@code -Dinflight.profile}: each JVM would write the same file.)
 *
 * <p>Profiling the measured blocks: with {@code -Dinflight.profile=<async-profiler arguments>}
 * (e.g. {@code event=cpu,interval=1ms,file=server.html}) and async-profiler's jar on the class
 * path, async-profiler is started through its Java API after the warmup blocks ({@code
 * start,<arguments>}) and stopped at the end ({@code stop,<arguments>}, which writes the file). Its
 * native library is {@code -Dinflight.profile.lib=/path/to/libasyncProfiler.so}, or the one in its
 * jar when unset.
 */
public final class ServerCpuPerMegabyte {

  /** What each block reads, from {@code -Dinflight.cpu} (see {@link Reading}). */
  private static final Reading READING = Reading.fromSystemProperty();

  /** The variants run without a fourth argument. */
  static final List<String> DEFAULT_VARIANTS = List.of("none", "disabled", "enabled");

  private static final List<Family> FAMILIES =
      List.of(
          new Family(
              "Jetty 12 (ee10) servlet",
              JettySseServer.VARIANTS,
              "",
              JettySseServer.PEERS,
              1.01,
              1.015,
              true),
          new Family(
              "Spring WebFlux on Reactor Netty",
              NettySseServer.VARIANTS,
              EndToEndBenchmark.NETTY,
              List.of(),
              1.02,
              1.03,
              false),
          new Family(
              "Jetty 12 (ee10) servlet, one server switched between variants",
              JettySseServer.SWITCHED_KNOWN,
              JettySseServer.SWITCHED,
              JettySseServer.SWITCHED_PEERS,
              1.01,
              1.015,
              true),
          new Family(
              "Spring WebFlux on Reactor Netty, one server switched between variants",
              NettySseServer.SWITCHED_VARIANTS,
              NettySseServer.SWITCHED,
              List.of(),
              1.02,
              1.03,
              false));

  private ServerCpuPerMegabyte() {}

  /**
   * Runs the measurement and prints the report.
   *
   * @param args blocks, rounds per block, warmup blocks, variants
   * @throws Exception if a server fails, a stream is short or a tracker disagrees with the clients
   */
  public static void main(String[] args) throws Exception {
    int jvms = Integer.getInteger("inflight.jvms", 1);
    if (jvms > 1) {
      acrossJvms(args, jvms);
      return;
    }
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    List<String> variants = args.length > 3 ? variants(args[3]) : DEFAULT_VARIANTS;
    if (blocks < 2) {
      throw new IllegalArgumentException("a confidence interval needs at least 2 blocks");
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isThreadCpuTimeSupported()) {
      throw new IllegalStateException("this JVM cannot measure thread CPU time");
    }
    threads.setThreadCpuTimeEnabled(true);
    Profiler profiler = Profiler.fromSystemProperties();

    List<EndToEndBenchmark.Proxy> proxies = new ArrayList<>();
    try {
      for (String variant : variants) {
        EndToEndBenchmark.Proxy p = new EndToEndBenchmark.Proxy();
        p.variant = variant;
        p.clients = 4;
        // -Dinflight.chunks and -Dinflight.chunkBytes change the stream's shape, to tell what
        // tracking costs per request from what it costs per write
        p.chunks = Integer.getInteger("inflight.chunks", 64);
        p.chunkBytes = Integer.getInteger("inflight.chunkBytes", 256);
        proxies.add(p);
        p.setUp();
      }
      double[][] perMb = measure(proxies, variants, blocks, rounds, warmup, threads, profiler);
      String out = System.getProperty("inflight.blocksOut");
      if (out != null) {
        writeBlocks(Path.of(out), variants, perMb);
      }
      System.out.printf(
          Locale.ROOT,
          "Server %s per streamed MB: %d paired blocks of %d rounds (after %d warmup blocks)%n",
          READING.what,
          blocks,
          rounds,
          warmup);
      for (Family family : FAMILIES) {
        family.report(variants, perMb);
      }
    } catch (Exception | Error e) {
      tearDown(proxies, e);
      throw e;
    }
    tearDown(proxies, null);
  }

  /**
   * Streams {@code rounds} rounds through every server in each block, in a shuffled order.
   *
   * @return per variant, per measured block: what {@link #READING} reads per streamed MB
   */
  private static double[][] measure(
      List<EndToEndBenchmark.Proxy> proxies,
      List<String> variants,
      int blocks,
      int rounds,
      int warmup,
      ThreadMXBean threads,
      Profiler profiler)
      throws ReflectiveOperationException {
    double[][] perMb = new double[variants.size()][blocks];
    List<Integer> order = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      order.add(v);
    }
    Random random = new Random(Long.getLong("inflight.seed", 42));
    for (int b = -warmup; b < blocks; b++) {
      if (b == 0) {
        profiler.execute("start");
      }
      Collections.shuffle(order, random);
      for (int v : order) {
        EndToEndBenchmark.Proxy p = proxies.get(v);
        p.server.select();
        String prefix = EndToEndBenchmark.serverThreadPrefix(variants.get(v));
        Map<Long, Long> cpuBefore = serverCpu(threads, prefix);
        long bytes = 0;
        for (int r = 0; r < rounds; r++) {
          bytes += EndToEndBenchmark.round(p);
        }
        long cpu = cpuSince(serverCpu(threads, prefix), cpuBefore);
        if (b >= 0) {
          if (cpu <= 0) {
            // a ratio with a zero would make every mean and interval meaningless
            throw new IllegalStateException(
                "measured block "
                    + (b + 1)
                    + " of "
                    + variants.get(v)
                    + " read no "
                    + READING.what
                    + ": the blocks are shorter than the clock's step"
                    + (READING == Reading.USER ? " (user-mode time counts in ticks)" : "")
                    + "; give more rounds per block");
          }
          perMb[v][b] = cpu / (bytes / 1_000_000.0);
        }
      }
    }
    profiler.execute("stop");
    return perMb;
  }

  /**
   * Runs the measurement in {@code jvms} fresh JVMs, one after the other, and reports each ratio
   * over the JVMs: one run's interval covers the scatter of its blocks only, while two JVMs running
   * the same code differ by more than that (where their servers' objects and compiled code land;
   * whether a container's long-lived locks sit in regions whose writes take the collector's slow
   * barrier), so a target is decided on the JVMs' own results. Each JVM gets this JVM's options and
   * arguments, its own seed for the block order ({@code -Dinflight.seed}), and writes its blocks to
   * a file ({@code -Dinflight.blocksOut}); its own report is printed as it ends. Then each variant
   * counts once per JVM, as the geometric mean of its blocks, and the report's intervals are taken
   * over the JVMs (Student's t with {@code jvms - 1} degrees of freedom): the ratio of two
   * variants' geometric means in a JVM is exactly that JVM's geometric mean of the blocks' ratios.
   */
  private static void acrossJvms(String[] args, int jvms) throws IOException, InterruptedException {
    List<String> variants = args.length > 3 ? variants(args[3]) : DEFAULT_VARIANTS;
    double[][] perJvm = new double[variants.size()][jvms];
    Path dir = Files.createTempDirectory("server-cpu");
    for (int j = 0; j < jvms; j++) {
      Path blocks = dir.resolve("jvm-" + j + ".tsv");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (!option.startsWith("-Dinflight.jvms") && !option.startsWith("-Dinflight.seed")) {
          command.add(option);
        }
      }
      command.add("-Dinflight.seed=" + (42 + j));
      command.add("-Dinflight.blocksOut=" + blocks);
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(ServerCpuPerMegabyte.class.getName());
      command.addAll(List.of(args));
      System.out.printf(Locale.ROOT, "%n## JVM %d of %d%n%n", j + 1, jvms);
      System.out.flush();
      int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException("JVM " + (j + 1) + " of " + jvms + " exited with " + exit);
      }
      Map<String, double[]> measured = readBlocks(blocks);
      for (int v = 0; v < variants.size(); v++) {
        double[] x = measured.get(variants.get(v));
        if (x == null) {
          throw new IllegalStateException(
              "JVM " + (j + 1) + " wrote no blocks of " + variants.get(v));
        }
        perJvm[v][j] = geometricMean(x);
      }
      Files.delete(blocks);
    }
    Files.delete(dir);
    System.out.printf(
        Locale.ROOT,
        "%n## Across %d JVMs%n%nServer %s per streamed MB, each variant's geometric mean over the"
            + " blocks of each JVM; every interval is taken over the %d JVMs:%n",
        jvms,
        READING.what,
        jvms);
    for (Family family : FAMILIES) {
      family.report(variants, perJvm);
    }
  }

  /** One line per variant: its name, then its blocks' values. */
  private static void writeBlocks(Path file, List<String> variants, double[][] perMb)
      throws IOException {
    List<String> lines = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      StringBuilder line = new StringBuilder(variants.get(v));
      for (double x : perMb[v]) {
        line.append('\t').append(x);
      }
      lines.add(line.toString());
    }
    Files.write(file, lines);
  }

  private static Map<String, double[]> readBlocks(Path file) throws IOException {
    Map<String, double[]> blocks = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      String[] fields = line.split("\t", -1);
      double[] values = new double[fields.length - 1];
      for (int i = 1; i < fields.length; i++) {
        values[i - 1] = Double.parseDouble(fields[i]);
      }
      blocks.put(fields[0], values);
    }
    return blocks;
  }

  static double geometricMean(double[] xs) {
    double sum = 0;
    for (double x : xs) {
      sum += Math.log(x);
    }
    return Math.exp(sum / xs.length);
  }

  /**
   * Stops every server; checks, for the enabled trackers and the other libraries' metrics, that
   * they counted what the clients received. After a failure, what tearing down throws is added to
   * it; otherwise the first check that fails is thrown, once every server has stopped.
   */
  private static void tearDown(List<EndToEndBenchmark.Proxy> proxies, @Nullable Throwable failure)
      throws Exception {
    Exception first = null;
    for (EndToEndBenchmark.Proxy p : proxies) {
      if (p.server == null) {
        continue; // its setup failed before the server started
      }
      try {
        p.tearDown();
      } catch (Exception e) {
        if (failure != null) {
          failure.addSuppressed(e);
        } else if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * The variants named on the command line, in their order, without repeats: {@code all} is the
   * seven Jetty variants, {@code netty} the three Reactor Netty ones, {@code switched} and {@code
   * netty-switched} the switched servers' four each, {@code switched-all} the switched Jetty
   * server's four and its three peers, {@code switched-parts} its none, disabled and enabled and
   * the parts of enabled ({@link JettySseServer#SWITCHED_BISECT}).
   *
   * @param arg comma-separated variants
   * @return the variants to run
   * @throws IllegalArgumentException if a name is unknown
   */
  static List<String> variants(String arg) {
    Set<String> known = new LinkedHashSet<>(JettySseServer.VARIANTS);
    known.addAll(NettySseServer.VARIANTS);
    known.addAll(JettySseServer.SWITCHED_KNOWN);
    known.addAll(NettySseServer.SWITCHED_VARIANTS);
    Set<String> chosen = new LinkedHashSet<>();
    for (String name : arg.split(",", -1)) {
      String n = name.trim();
      if (n.equals("all")) {
        chosen.addAll(JettySseServer.VARIANTS);
      } else if (n.equals("netty")) {
        chosen.addAll(NettySseServer.VARIANTS);
      } else if (n.equals("switched")) {
        chosen.addAll(JettySseServer.SWITCHED_VARIANTS);
      } else if (n.equals("switched-all")) {
        chosen.addAll(JettySseServer.SWITCHED_ALL);
      } else if (n.equals("switched-parts")) {
        chosen.addAll(JettySseServer.SWITCHED_BISECT);
      } else if (n.equals("netty-switched")) {
        chosen.addAll(NettySseServer.SWITCHED_VARIANTS);
      } else if (known.contains(n)) {
        chosen.add(n);
      } else {
        throw new IllegalArgumentException(
            "unknown variant '"
                + n
                + "'; known: all, netty, switched, switched-all, switched-parts, netty-switched, "
                + String.join(", ", known));
      }
    }
    return List.copyOf(chosen);
  }

  /**
   * What {@link #READING} reads of each live thread whose name starts with the prefix, so far, by
   * thread id.
   */
  private static Map<Long, Long> serverCpu(ThreadMXBean threads, String prefix) {
    Map<Long, Long> cpu = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix)) {
        long value = READING.of(threads, t.getId());
        if (value > 0) {
          cpu.put(t.getId(), value);
        }
      }
    }
    return cpu;
  }

  /**
   * What a block reads of the server's threads: their CPU time (the default), their user-mode time
   * only ({@code -Dinflight.cpu=user}: with a run of each, what tracking costs in the server's own
   * code can be told from what it costs in the kernel; Linux counts it in ticks), or the bytes they
   * allocate ({@code -Dinflight.cpu=alloc}, HotSpot's per-thread counter: what tracking adds to the
   * heap per streamed MB).
   */
  enum Reading {
    CPU("CPU", "CPU ms/MB", 1e6),
    USER("user-mode CPU", "user-mode CPU ms/MB", 1e6),
    ALLOC("bytes allocated", "bytes allocated per MB", 1);

    /** What is read, for the report's headings. */
    final String what;

    /** The report's column of a variant's mean. */
    final String column;

    /** What the mean is divided by for that column. */
    final double scale;

    Reading(String what, String column, double scale) {
      this.what = what;
      this.column = column;
      this.scale = scale;
    }

    /** The reading {@code -Dinflight.cpu} asks for; a value it does not know is refused. */
    static Reading fromSystemProperty() {
      String value = System.getProperty("inflight.cpu");
      if (value == null) {
        return CPU;
      }
      return switch (value) {
        case "user" -> USER;
        case "alloc" -> ALLOC;
        default ->
            throw new IllegalArgumentException(
                "-Dinflight.cpu=" + value + ": expected user or alloc (or no value, for CPU time)");
      };
    }

    long of(ThreadMXBean threads, long id) {
      return switch (this) {
        case CPU -> threads.getThreadCpuTime(id);
        case USER -> threads.getThreadUserTime(id);
        case ALLOC -> ((com.sun.management.ThreadMXBean) threads).getThreadAllocatedBytes(id);
      };
    }
  }

  /**
   * The CPU time the threads used between two readings: per thread, so that a thread that left the
   * pool in between takes its earlier time with it instead of making the sum shrink (the servers'
   * pools keep their threads, so that does not happen in a run), and a new thread counts from zero.
   */
  static long cpuSince(Map<Long, Long> now, Map<Long, Long> before) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : now.entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  /**
   * The variants of one server and the targets between them: {@code <prefix>none}, {@code
   * <prefix>disabled}, {@code <prefix>enabled}, and other libraries' request metrics on the same
   * server.
   */
  private record Family(
      String server,
      List<String> members,
      String prefix,
      List<String> peers,
      double enabledMean,
      double enabledUpper,
      boolean disabledTarget) {

    /** Prints the family's table and ratios, for those of its variants that were run. */
    void report(List<String> variants, double[][] perMb) {
      List<String> mine = new ArrayList<>(variants);
      mine.retainAll(members);
      if (mine.isEmpty()) {
        return;
      }
      String none = prefix + "none";
      String disabled = prefix + "disabled";
      String enabled = prefix + "enabled";
      double @Nullable [] base = variants.contains(none) ? perMb[variants.indexOf(none)] : null;
      System.out.println();
      System.out.println(server + ":");
      System.out.println();
      System.out.printf(
          Locale.ROOT, "| variant | server %s (mean) | / %s (95%% CI) |%n", READING.column, none);
      System.out.println("| --- | --- | --- |");
      for (String v : mine) {
        double[] x = perMb[variants.indexOf(v)];
        String ratio = base == null || v.equals(none) ? "" : Interval.ofRatios(x, base).toString();
        System.out.printf(Locale.ROOT, "| %s | %.3f | %s |%n", v, mean(x) / READING.scale, ratio);
      }
      System.out.println();
      printTarget(
          variants,
          perMb,
          enabled,
          disabled,
          "mean <= " + enabledMean + ", CI upper end <= " + enabledUpper,
          r -> r.atMost(enabledMean, enabledUpper));
      if (disabledTarget) {
        printTarget(
            variants,
            perMb,
            disabled,
            none,
            "CI includes 1.0 or lies below 1.005",
            r -> r.noCostShown(1.005));
      }
      for (String peer : peers) {
        printTarget(variants, perMb, enabled, peer, "CI below 1.0", r -> r.below(1.0));
      }
    }

    /** Prints {@code a / b} and whether it meets its target, when both were run. */
    private static void printTarget(
        List<String> variants,
        double[][] perMb,
        String a,
        String b,
        String target,
        Predicate<Interval> met) {
      if (!variants.contains(a) || !variants.contains(b)) {
        return;
      }
      double[] x = perMb[variants.indexOf(a)];
      double[] y = perMb[variants.indexOf(b)];
      Interval r = Interval.ofRatios(x, y);
      System.out.printf(
          Locale.ROOT,
          "%s / %s: %s -> target (%s) %s (arithmetic mean of the ratios %.4f, ratio of the means"
              + " %.4f)%n",
          a,
          b,
          r,
          target,
          verdict(met.test(r)),
          Interval.arithmeticMean(x, y),
          mean(x) / mean(y));
    }

    private static String verdict(boolean met) {
      return met ? "met" : "not shown";
    }
  }

  /**
   * A ratio over paired blocks with its 95% confidence interval: the geometric mean of the
   * per-block ratios, with Student's t interval taken on their logarithms.
   *
   * <p>Not the arithmetic mean of the ratios: that is biased upwards by about the square of the
   * denominator's coefficient of variation (the expected value of {@code a / b} exceeds {@code E[a]
   * / E[b]} when {@code b} scatters), some 0.5 to 1% at this measure's block-to-block spread of
   * about 9%, which is as much as the target it decides. Two servers running the same code (the
   * control) read up to 1.010 as an arithmetic mean of ratios. The mean of the logarithms has no
   * such bias for noise that is symmetric in the logarithm, and it is consistent: {@code b / a}
   * reads exactly the reciprocal of {@code a / b}, interval included.
   *
   * @param mean the geometric mean of the per-block ratios
   * @param low the interval's lower end
   * @param high the interval's upper end
   */
  record Interval(double mean, double low, double high) {

    /**
     * The ratios {@code a[i] / b[i]} of each block, summarized.
     *
     * @param a per-block values of the numerator
     * @param b per-block values of the denominator, as many
     * @return the geometric mean ratio and its interval
     */
    static Interval ofRatios(double[] a, double[] b) {
      double[] logs = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        logs[i] = Math.log(a[i] / b[i]);
      }
      double mean = ServerCpuPerMegabyte.mean(logs);
      double half = tQuantile975(logs.length - 1) * stdDev(logs, mean) / Math.sqrt(logs.length);
      return new Interval(Math.exp(mean), Math.exp(mean - half), Math.exp(mean + half));
    }

    /**
     * The arithmetic mean of the per-block ratios, as this measure reported before the geometric
     * mean, for comparing runs with earlier ones.
     *
     * @param a per-block values of the numerator
     * @param b per-block values of the denominator, as many
     * @return the mean of {@code a[i] / b[i]}
     */
    static double arithmeticMean(double[] a, double[] b) {
      double sum = 0;
      for (int i = 0; i < a.length; i++) {
        sum += a[i] / b[i];
      }
      return sum / a.length;
    }

    /** The mean is at most {@code mean} and the upper end at most {@code upper}. */
    boolean atMost(double mean, double upper) {
      return this.mean <= mean && high <= upper;
    }

    /** No cost is shown: the interval includes 1.0, or all of it lies below {@code limit}. */
    boolean noCostShown(double limit) {
      return (low <= 1.0 && high >= 1.0) || high < limit;
    }

    /** All of the interval lies below {@code limit}. */
    boolean below(double limit) {
      return high < limit;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.4f, 95%% CI [%.4f, %.4f]", mean, low, high);
    }
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

  /**
   * async-profiler, driven through its Java API when {@code -Dinflight.profile} is set, found by
   * reflection so that the benchmarks need no dependency on it; does nothing otherwise.
   */
  private static final class Profiler {
    private final @Nullable Object instance;
    private final String arguments;

    private Profiler(@Nullable Object instance, String arguments) {
      this.instance = instance;
      this.arguments = arguments;
    }

    static Profiler fromSystemProperties() throws ReflectiveOperationException {
      String arguments = System.getProperty("inflight.profile");
      if (arguments == null) {
        return new Profiler(null, "");
      }
      Class<?> type;
      try {
        type = Class.forName("one.profiler.AsyncProfiler");
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            "-Dinflight.profile needs async-profiler's jar on the class path", e);
      }
      String lib = System.getProperty("inflight.profile.lib");
      Object instance =
          lib == null
              ? type.getMethod("getInstance").invoke(null)
              : type.getMethod("getInstance", String.class).invoke(null, lib);
      return new Profiler(instance, arguments);
    }

    /** Runs {@code <command>,<arguments>} and prints what the profiler answers. */
    void execute(String command) throws ReflectiveOperationException {
      if (instance == null) {
        return;
      }
      String line = arguments.isEmpty() ? command : command + "," + arguments;
      try {
        Object answer =
            instance.getClass().getMethod("execute", String.class).invoke(instance, line);
        System.out.printf(
            Locale.ROOT, "async-profiler %s: %s%n", line, String.valueOf(answer).trim());
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("async-profiler refused '" + line + "'", e.getCause());
      }
    }
  }
}
