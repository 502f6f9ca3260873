package dev.inflight.activity.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Turns a JMH JSON result file into the Markdown table the module README shows: the machine, the
 * JDK, the DESIGN.md targets with the measured ratios, the alternatives side by side, and every
 * result.
 *
 * <pre>
 * java -cp benchmarks.jar dev.inflight.activity.benchmarks.ResultsTable results/run.json \
 *     [--status "preliminary"] [--out results/run.md] [--readme README.md]
 * </pre>
 *
 * <p>With {@code --readme} the text between the {@code <!-- results:begin -->} and {@code <!--
 * results:end -->} markers of that file is replaced. A figure whose benchmark is not in the file is
 * shown as "not measured", never guessed.
 */
public final class ResultsTable {

  static final String BEGIN = "<!-- results:begin -->";
  static final String END = "<!-- results:end -->";
  private static final String PKG = "dev.inflight.activity.benchmarks.";
  private static final String NOT_MEASURED = "not measured";

  /** One benchmark result: its primary score and its secondary metrics. */
  record Result(
      String name,
      String mode,
      int threads,
      Map<String, String> params,
      double score,
      double error,
      String unit,
      Map<String, Double> secondary,
      Map<String, String> secondaryUnits) {

    @Nullable Double bytesPerOp() {
      return secondary.get("gc.alloc.rate.norm");
    }
  }

  /** The facts about where and how the results were measured. */
  record Machine(int cores, String cpu, String memory, String os) {
    static Machine current() {
      return new Machine(
          Runtime.getRuntime().availableProcessors(),
          procField("/proc/cpuinfo", "model name").orElse("unknown CPU"),
          procField("/proc/meminfo", "MemTotal")
              .map(ResultsTable::formatMemory)
              .orElse("unknown memory"),
          System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }
  }

  private final List<Result> results;
  private final JsonNode first;

  ResultsTable(JsonNode root) {
    if (!root.isArray() || root.isEmpty()) {
      throw new IllegalArgumentException("not a JMH JSON result file: expected a non-empty array");
    }
    List<Result> list = new ArrayList<>();
    for (JsonNode node : root) {
      list.add(parse(node));
    }
    this.results = List.copyOf(list);
    this.first = root.get(0);
  }

  /**
   * Writes the Markdown table for a JMH JSON result file; {@code --help} lists the options. Exits
   * with 2 for bad arguments and 1 when a file cannot be read or written, with one line on standard
   * error.
   *
   * @param args the JSON file, then options: {@code --status TEXT}, {@code --out FILE}, {@code
   *     --readme FILE}, {@code --date YYYY-MM-DD}, {@code --note TEXT} (repeatable: a line under
   *     the machine, e.g. the load average)
   */
  public static void main(String[] args) {
    PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    int code = run(args, stdout, System.err);
    stdout.flush();
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Runs the tool.
   *
   * @param args the command-line arguments
   * @param out where the table (without {@code --out}) and {@code --help} go
   * @param err where errors go
   * @return 0 done, 1 a file could not be read or written, 2 bad arguments
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Arguments(out, err));
    cl.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    cl.setOverwrittenOptionsAllowed(true); // the last --status wins, as before
    cl.setParameterExceptionHandler(
        (e, arguments) -> {
          err.println(Arguments.NAME + ": " + e.getMessage());
          err.print(e.getCommandLine().getUsageMessage(CommandLine.Help.Ansi.OFF));
          return Arguments.EXIT_USAGE;
        });
    return cl.execute(args);
  }

  /** The command line of {@link #main}, read by picocli. */
  @Command(
      name = Arguments.NAME,
      customSynopsis =
          "java -cp benchmarks.jar dev.inflight.activity.benchmarks.ResultsTable RESULT.json"
              + " [options]",
      sortOptions = false,
      usageHelpWidth = 100,
      description = {
        "Writes the Markdown table of a JMH JSON result file (-rf json): the machine, the JDK,",
        "the DESIGN.md targets with the measured ratios, the alternatives side by side, and",
        "every result. A figure whose benchmark is not in the file is shown as \"not measured\".",
        ""
      },
      footer = {"", "Exit codes: 0 done, 1 a file could not be read or written, 2 bad arguments."})
  static final class Arguments implements Callable<Integer> {

    static final String NAME = "ResultsTable";
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    @Parameters(index = "0", paramLabel = "RESULT.json", description = "the JMH JSON result file")
    private @Nullable Path json;

    @Option(
        names = "--status",
        paramLabel = "TEXT",
        order = 1,
        description = "shown in the heading, e.g. \"preliminary, machine was shared\"")
    private String status = "";

    @Option(
        names = "--out",
        paramLabel = "FILE.md",
        order = 2,
        description = "write the table to this file (default: standard output)")
    private @Nullable Path out;

    @Option(
        names = "--readme",
        paramLabel = "README.md",
        order = 3,
        description = {
          "also replace the text between the " + BEGIN + " and",
          END + " markers of this file"
        })
    private @Nullable Path readme;

    @Option(
        names = "--date",
        paramLabel = "YYYY-MM-DD",
        order = 4,
        converter = DateConverter.class,
        description = "the date shown (default: today, UTC)")
    private LocalDate date = LocalDate.now(ZoneOffset.UTC);

    @Option(
        names = "--note",
        paramLabel = "TEXT",
        order = 5,
        description = "a line under the machine, e.g. the load average (repeatable)")
    private List<String> notes = new ArrayList<>();

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        order = 6,
        description = "show this help")
    @SuppressWarnings("UnusedVariable") // picocli reads it and prints the usage
    private boolean help;

    private final PrintStream stdout;
    private final PrintStream stderr;

    Arguments(PrintStream stdout, PrintStream stderr) {
      this.stdout = stdout;
      this.stderr = stderr;
    }

    @Override
    public Integer call() {
      Path file = Objects.requireNonNull(json, "picocli requires RESULT.json");
      String markdown;
      try {
        JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(file));
        markdown =
            new ResultsTable(root)
                .render(Machine.current(), date.toString(), status, notes, displayName(file));
      } catch (NoSuchFileException e) {
        return failed(file + ": no such file");
      } catch (JsonProcessingException e) {
        return failed(file + ": not JSON (" + e.getOriginalMessage() + ")");
      } catch (IOException e) {
        return failed("cannot read " + file + ": " + e);
      } catch (IllegalArgumentException e) {
        return failed(file + ": " + e.getMessage());
      }
      Path target = out;
      if (target != null) {
        try {
          Files.writeString(target, markdown, StandardCharsets.UTF_8);
        } catch (IOException e) {
          return failed("cannot write " + target + ": " + e);
        }
      } else {
        stdout.print(markdown);
        stdout.flush();
      }
      Path readmeFile = readme;
      if (readmeFile != null) {
        try {
          String text = Files.readString(readmeFile, StandardCharsets.UTF_8);
          Files.writeString(readmeFile, replaceBlock(text, markdown), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
          return failed(readmeFile + ": no such file");
        } catch (IOException e) {
          return failed("cannot update " + readmeFile + ": " + e);
        } catch (IllegalArgumentException e) {
          return failed(readmeFile + ": " + e.getMessage());
        }
      }
      return 0;
    }

    private int failed(String message) {
      stderr.println(NAME + ": " + message);
      return EXIT_FAILED;
    }
  }

  /** Reads {@code --date}: an ISO date, checked. */
  static final class DateConverter implements CommandLine.ITypeConverter<LocalDate> {
    @Override
    public LocalDate convert(String value) {
      try {
        return LocalDate.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a date: use YYYY-MM-DD");
      }
    }
  }

  /** The JSON file as the table names it: its folder and its name, e.g. results/x.json. */
  static String displayName(Path json) {
    Path abs = json.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    String file = String.valueOf(abs.getFileName());
    return parent == null || parent.getFileName() == null
        ? file
        : parent.getFileName() + "/" + file;
  }

  /** Replaces what lies between the markers with {@code markdown}. */
  static String replaceBlock(String text, String markdown) {
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("the README has no " + BEGIN + " ... " + END + " block");
    }
    return text.substring(0, begin + BEGIN.length()) + "\n" + markdown + text.substring(end);
  }

  private static Result parse(JsonNode node) {
    String name = node.path("benchmark").asText();
    if (name.startsWith(PKG)) {
      name = name.substring(PKG.length());
    }
    Map<String, String> params = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : node.path("params").properties()) {
      params.put(e.getKey(), e.getValue().asText());
    }
    JsonNode primary = node.path("primaryMetric");
    Map<String, Double> secondary = new LinkedHashMap<>();
    Map<String, String> units = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.path("secondaryMetrics").properties()) {
      secondary.put(e.getKey(), number(e.getValue().path("score")));
      units.put(e.getKey(), e.getValue().path("scoreUnit").asText());
    }
    return new Result(
        name,
        node.path("mode").asText(),
        node.path("threads").asInt(1),
        params,
        number(primary.path("score")),
        number(primary.path("scoreError")),
        primary.path("scoreUnit").asText(),
        secondary,
        units);
  }

  /** JMH writes NaN as a string. */
  private static double number(JsonNode node) {
    if (node.isNumber()) {
      return node.asDouble();
    }
    try {
      return Double.parseDouble(node.asText());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** The result of {@code Class.method} whose params include all of {@code params}. */
  Optional<Result> find(String name, String... params) {
    return results.stream()
        .filter(r -> r.name().equals(name))
        .filter(
            r -> {
              for (int i = 0; i + 1 < params.length; i += 2) {
                if (!params[i + 1].equals(r.params().get(params[i]))) {
                  return false;
                }
              }
              return true;
            })
        .findFirst();
  }

  private Optional<Double> score(String name, String... params) {
    return find(name, params).map(Result::score).filter(d -> !d.isNaN());
  }

  /** A score with its error, e.g. {@code 5.12 ± 0.30}, or just the score. */
  private String scored(String name, String... params) {
    Optional<Result> r = find(name, params);
    if (r.isEmpty()) {
      return NOT_MEASURED;
    }
    double error = r.get().error();
    return fmt(r.get().score()) + (Double.isNaN(error) ? "" : " ± " + fmt(error));
  }

  /** A secondary metric, e.g. a group member's score ({@code writer}) or a counter. */
  private Optional<Double> secondary(String name, String metric, String... params) {
    return find(name, params).map(r -> r.secondary().get(metric)).filter(Objects::nonNull);
  }

  private Optional<Double> bytesPerOp(String name, String... params) {
    return find(name, params).map(Result::bytesPerOp).filter(Objects::nonNull);
  }

  String render(Machine machine, String date, String status, List<String> notes, String source) {
    StringBuilder md = new StringBuilder();
    md.append("### Results").append(status.isBlank() ? "" : ": " + status).append("\n\n");
    md.append("- Date: ").append(date).append('\n');
    md.append("- Machine: ")
        .append(machine.cores())
        .append(" cores, ")
        .append(machine.cpu())
        .append(", ")
        .append(machine.memory())
        .append(", ")
        .append(machine.os())
        .append('\n');
    md.append("- JDK: ")
        .append(first.path("jdkVersion").asText())
        .append(", ")
        .append(first.path("vmName").asText())
        .append(' ')
        .append(first.path("vmVersion").asText())
        .append('\n');
    md.append("- JMH ")
        .append(first.path("jmhVersion").asText())
        .append(": ")
        .append(settings())
        .append('\n');
    for (String note : notes) {
      md.append("- ").append(note).append('\n');
    }
    md.append("- Raw results: `").append(source).append("`\n");
    md.append(
        "- Scores are JMH's means; `±` is JMH's 99.9% confidence half-width (blank with one"
            + " iteration). A target is judged on the means alone, so read it with the `±`.\n\n");

    md.append("#### Targets (DESIGN.md \"Numbers\")\n\n");
    md.append("| What | Measured | Target | Met |\n| --- | --- | --- | --- |\n");
    for (Row row : targets()) {
      md.append("| ")
          .append(row.what())
          .append(" | ")
          .append(row.measured())
          .append(" | ")
          .append(row.target())
          .append(" | ")
          .append(row.met())
          .append(" |\n");
    }

    md.append("\n#### Side by side (ns/op; B/op in brackets)\n\n");
    md.append(
        "| Operation | inflight | AtomicLong | LongAdder | Dropwizard Counter |"
            + " one lock + HashMap (seed) |\n| --- | --- | --- | --- | --- | --- |\n");
    sideBySide(
        md,
        "byte update, 1 thread, 1 row",
        cell("UpdateBenchmark.handleAddRx", "activeRows", "1"),
        cell("UpdateBenchmark.atomicLongAddAndGet"),
        cell("UpdateBenchmark.longAdderAdd"),
        cell("UpdateBenchmark.dropwizardCounterInc"),
        cell("UpdateBenchmark.lockedMapAddRx", "activeRows", "1"));
    sideBySide(
        md,
        "byte update, 1 thread, 100,000 rows",
        cell("UpdateBenchmark.handleAddRx", "activeRows", "100000"),
        "",
        "",
        "",
        cell("UpdateBenchmark.lockedMapAddRx", "activeRows", "100000"));
    sideBySide(
        md,
        "byte update, 2 threads, own row each",
        cell("ConcurrentUpdateBenchmark.handleDistinctRows", "activeRows", "1"),
        cell("ConcurrentUpdateBenchmark.atomicLongPerThread") + " per thread",
        "",
        "",
        cell("ConcurrentUpdateBenchmark.lockedMapDistinctRows"));
    sideBySide(
        md,
        "byte update, 2 threads, one shared row/counter",
        cell("ConcurrentUpdateBenchmark.handleJoinedRow", "activeRows", "1"),
        cell("ConcurrentUpdateBenchmark.atomicLongShared"),
        cell("ConcurrentUpdateBenchmark.longAdderShared"),
        "",
        "");
    sideBySide(
        md,
        "open + close a row",
        cell("OpenCloseBenchmark.openCloseNewRow"),
        "",
        "",
        "",
        cell("OpenCloseBenchmark.lockedMapOpenClose"));
    sideBySide(
        md,
        "snapshot, 10,000 rows",
        cell("SnapshotBenchmark.globalSnapshot", "rows", "10000"),
        "",
        "",
        "",
        cell("SnapshotBenchmark.lockedMapSnapshot", "rows", "10000"));
    sideBySide(
        md,
        "snapshot, 100,000 rows",
        cell("SnapshotBenchmark.globalSnapshot", "rows", "100000"),
        "",
        "",
        "",
        cell("SnapshotBenchmark.lockedMapSnapshot", "rows", "100000"));
    sideBySide(
        md,
        "writer slowed by a snapshot reader, 10,000 rows",
        slowdown(
            "WriterReaderBenchmark.writerAlone",
            "WriterReaderBenchmark.writerWithReader",
            "writer",
            "10000"),
        "",
        "",
        "",
        slowdown(
            "WriterReaderBenchmark.lockedMapWriterAlone",
            "WriterReaderBenchmark.lockedMapWithReader",
            "lockedMapWriter",
            "10000"));

    md.append("\n#### All results\n\n");
    md.append("| Benchmark | Params | Threads | Score | ± | Unit | B/op |\n");
    md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
    for (Result r : results) {
      md.append("| ")
          .append(r.name())
          .append(" | ")
          .append(
              r.params().entrySet().stream()
                  .map(e -> e.getKey() + "=" + e.getValue())
                  .collect(Collectors.joining(", ")))
          .append(" | ")
          .append(r.threads())
          .append(" | ")
          .append(fmt(r.score()))
          .append(" | ")
          .append(Double.isNaN(r.error()) ? "" : fmt(r.error()))
          .append(" | ")
          .append(r.unit())
          .append(" | ")
          .append(r.bytesPerOp() == null ? "" : fmt(r.bytesPerOp()))
          .append(" |\n");
      for (Map.Entry<String, Double> e : r.secondary().entrySet()) {
        String metric = e.getKey();
        if (metric.startsWith("gc.")) {
          continue; // the allocation column shows what matters
        }
        md.append("| ")
            .append(r.name())
            .append(':')
            .append(metric)
            .append(" |  |  | ")
            .append(fmt(e.getValue()))
            .append(" |  | ")
            .append(r.secondaryUnits().get(metric))
            .append(" |  |\n");
      }
    }
    return md.toString();
  }

  private String settings() {
    return "forks "
        + first.path("forks").asText()
        + ", warmup "
        + first.path("warmupIterations").asText()
        + " x "
        + first.path("warmupTime").asText()
        + ", measurement "
        + first.path("measurementIterations").asText()
        + " x "
        + first.path("measurementTime").asText()
        + (results.stream().anyMatch(r -> r.bytesPerOp() != null)
            ? ", -prof gc"
            : ", no -prof gc (allocation not measured)")
        + " (settings of the first benchmark; annotations may differ per class)";
  }

  private static void sideBySide(StringBuilder md, String op, String... cells) {
    md.append("| ").append(op);
    for (String c : cells) {
      md.append(" | ").append(c.isEmpty() ? "—" : c);
    }
    md.append(" |\n");
  }

  private String cell(String name, String... params) {
    Optional<Result> r = find(name, params);
    if (r.isEmpty()) {
      return NOT_MEASURED;
    }
    Double bytes = r.get().bytesPerOp();
    return fmt(r.get().score()) + (bytes == null ? "" : " (" + fmt(bytes) + " B)");
  }

  private String slowdown(String alone, String group, String member, String rows) {
    Optional<Double> a = score(alone, "rows", rows);
    Optional<Double> g = secondary(group, member, "rows", rows);
    if (a.isEmpty() || g.isEmpty()) {
      return NOT_MEASURED;
    }
    return fmt(a.get()) + " → " + fmt(g.get()) + " (" + change(g.get() / a.get() - 1) + ")";
  }

  /** One line of the targets table. */
  record Row(String what, String measured, String target, String met) {}

  /** A benchmark and the params that pick one of its results. */
  @SuppressWarnings("ArrayRecordComponent") // varargs for readable tables; never compared
  record Ref(String name, String... params) {}

  private static Ref ref(String name, String... params) {
    return new Ref(name, params);
  }

  private Optional<Double> score(Ref r) {
    return score(r.name(), r.params());
  }

  private String scored(Ref r) {
    return scored(r.name(), r.params());
  }

  List<Row> targets() {
    List<Row> rows = new ArrayList<>();
    Ref update1 = ref("UpdateBenchmark.handleAddRx", "activeRows", "1");
    ratio(
        rows,
        "byte update vs bare `AtomicLong.addAndGet` (1 thread, 1 row)",
        update1,
        ref("UpdateBenchmark.atomicLongAddAndGet"),
        1.5);
    allocation(
        rows,
        "byte update allocation",
        bytesPerOp("UpdateBenchmark.handleAddRx", "activeRows", "1"));
    ratio(
        rows,
        "byte update at 1,000 rows vs 1 row",
        ref("UpdateBenchmark.handleAddRx", "activeRows", "1000"),
        update1,
        1.1);
    ratio(
        rows,
        "byte update at 100,000 rows vs 1 row",
        ref("UpdateBenchmark.handleAddRx", "activeRows", "100000"),
        update1,
        1.1);
    ratio(
        rows,
        "2 threads on distinct rows vs 1 thread (per-op time; 1.0 = perfect scaling)",
        ref("ConcurrentUpdateBenchmark.handleDistinctRows", "activeRows", "1"),
        update1,
        1.25);
    ratio(
        rows,
        "2 threads on distinct rows at 100,000 rows vs 1 thread at 1 row",
        ref("ConcurrentUpdateBenchmark.handleDistinctRows", "activeRows", "100000"),
        update1,
        1.25);
    Ref emptyBaseline = ref("DisabledBenchmark.baseline");
    difference(
        rows,
        "disabled: update on the no-op handle minus empty baseline",
        ref("DisabledBenchmark.noopHandleAddRx"),
        emptyBaseline,
        0.5);
    difference(
        rows,
        "disabled: update on `RequestActivity.disabled()` minus empty baseline",
        ref("DisabledBenchmark.disabledRequestAddTx"),
        emptyBaseline,
        0.5);
    allocation(
        rows,
        "disabled: allocation of a whole request (begin, attach, count, end)",
        bytesPerOp("DisabledBenchmark.disabledBeginAttachEnd"));
    ratio(
        rows,
        "open + close of a new row vs the seed's design (1 thread)",
        ref("OpenCloseBenchmark.openCloseNewRow"),
        ref("OpenCloseBenchmark.lockedMapOpenClose"),
        1.5);
    ratio(
        rows,
        "open + close, 2 threads on distinct sessions, vs the seed's design (0.33x = 3x faster)",
        ref("OpenCloseBenchmark.openCloseNewRowTwoThreads"),
        ref("OpenCloseBenchmark.lockedMapOpenCloseTwoThreads"),
        0.34);
    ratio(
        rows,
        "open + close, 2 threads on distinct sessions of one backend vs 1 thread (per-op time)",
        ref("OpenCloseBenchmark.openCloseNewRowTwoThreads"),
        ref("OpenCloseBenchmark.openCloseNewRow"),
        1.3);
    limit(
        rows,
        "open + close joining an open row",
        ref("OpenCloseBenchmark.openCloseJoined"),
        300,
        "ns",
        1);
    for (String cap : List.of("1000", "10000", "100000")) {
      ratio(
          rows,
          "open at the cap vs open + close below it, cap " + cap,
          ref("CapBenchmark.openAtCap", "cap", cap),
          ref("CapBenchmark.openCloseBelowCap", "cap", cap),
          2.0);
    }
    ratio(
        rows,
        "open at a 100,000 cap vs at a 1,000 cap",
        ref("CapBenchmark.openAtCap", "cap", "100000"),
        ref("CapBenchmark.openAtCap", "cap", "1000"),
        1.2);
    limit(
        rows,
        "snapshot of 10,000 rows",
        ref("SnapshotBenchmark.globalSnapshot", "rows", "10000"),
        0.5,
        "ms",
        1e6);
    limit(
        rows,
        "snapshot of 100,000 rows",
        ref("SnapshotBenchmark.globalSnapshot", "rows", "100000"),
        8,
        "ms",
        1e6);
    limit(
        rows,
        "snapshot of 10,000 rows, every row read (sorted, records built)",
        ref("SnapshotBenchmark.globalSnapshotListed", "rows", "10000"),
        0.5,
        "ms",
        1e6);
    limit(
        rows,
        "snapshot of 100,000 rows, every row read (sorted, records built)",
        ref("SnapshotBenchmark.globalSnapshotListed", "rows", "100000"),
        8,
        "ms",
        1e6);
    for (String n : List.of("10000", "100000")) {
      ratio(
          rows,
          "snapshot of " + n + " rows vs the seed's plain copy",
          ref("SnapshotBenchmark.globalSnapshot", "rows", n),
          ref("SnapshotBenchmark.lockedMapSnapshot", "rows", n),
          3.0);
    }
    limit(
        rows,
        "`/v1/diagnostics` rendered to bytes, 10,000 rows",
        ref("RenderBenchmark.renderDiagnostics", "rows", "10000"),
        5,
        "ms",
        1e6);
    for (String n : List.of("1000", "10000")) {
      Optional<Double> alone = score("WriterReaderBenchmark.writerAlone", "rows", n);
      Optional<Double> with =
          secondary("WriterReaderBenchmark.writerWithReader", "writer", "rows", n);
      String what = "writer slowdown while a reader snapshots " + n + " rows in a loop";
      if (alone.isEmpty() || with.isEmpty()) {
        rows.add(new Row(what, NOT_MEASURED, "<= +10%", "n/a"));
      } else {
        double slow = with.get() / alone.get() - 1;
        rows.add(
            new Row(
                what,
                change(slow)
                    + " ("
                    + scored("WriterReaderBenchmark.writerAlone", "rows", n)
                    + " → "
                    + fmt(with.get())
                    + " ns/op)",
                "<= +10%",
                met(slow <= 0.10)));
      }
    }
    Optional<Double> enabled = score("EndToEndBenchmark.sseStreams", "variant", "enabled");
    Optional<Double> disabled = score("EndToEndBenchmark.sseStreams", "variant", "disabled");
    Optional<Double> none = score("EndToEndBenchmark.sseStreams", "variant", "none");
    String e2e = "end to end (Jetty, SSE): enabled vs disabled throughput";
    if (enabled.isEmpty() || disabled.isEmpty()) {
      rows.add(new Row(e2e, NOT_MEASURED, ">= 97%", "n/a"));
    } else {
      double r = enabled.get() / disabled.get();
      rows.add(
          new Row(
              e2e,
              share(r) + " (" + throughput("enabled") + " vs " + throughput("disabled") + ")",
              ">= 97%",
              met(r >= 0.97)));
    }
    if (disabled.isPresent() && none.isPresent()) {
      rows.add(
          new Row(
              "end to end: disabled filter vs no filter (information)",
              share(disabled.get() / none.get())
                  + " ("
                  + throughput("disabled")
                  + " vs "
                  + throughput("none")
                  + ")",
              "—",
              "—"));
    }
    return rows;
  }

  private String throughput(String variant) {
    Optional<Result> r = find("EndToEndBenchmark.sseStreams", "variant", variant);
    if (r.isEmpty()) {
      return NOT_MEASURED;
    }
    Double bytes = r.get().secondary().get("bytes");
    return scored("EndToEndBenchmark.sseStreams", "variant", variant)
        + " rounds/s"
        + (bytes == null ? "" : ", " + fmt(bytes / 1e6) + " MB/s");
  }

  private void ratio(List<Row> rows, String what, Ref measured, Ref base, double max) {
    Optional<Double> m = score(measured);
    Optional<Double> b = score(base);
    if (m.isEmpty() || b.isEmpty()) {
      rows.add(new Row(what, NOT_MEASURED, "<= " + max + "x", "n/a"));
      return;
    }
    double r = m.get() / b.get();
    rows.add(
        new Row(
            what,
            String.format(Locale.ROOT, "%.2fx (%s vs %s ns/op)", r, scored(measured), scored(base)),
            "<= " + max + "x",
            met(r <= max)));
  }

  private void difference(List<Row> rows, String what, Ref measured, Ref base, double max) {
    Optional<Double> m = score(measured);
    Optional<Double> b = score(base);
    if (m.isEmpty() || b.isEmpty()) {
      rows.add(new Row(what, NOT_MEASURED, "<= " + max + " ns", "n/a"));
      return;
    }
    double d = m.get() - b.get();
    rows.add(
        new Row(
            what,
            String.format(
                Locale.ROOT, "%+.2f ns (%s vs %s ns/op)", d, scored(measured), scored(base)),
            "<= " + max + " ns",
            met(d <= max)));
  }

  private static void allocation(List<Row> rows, String what, Optional<Double> bytes) {
    if (bytes.isEmpty()) {
      rows.add(new Row(what, NOT_MEASURED + " (run with -prof gc)", "0 B/op", "n/a"));
      return;
    }
    // JMH's normalised allocation is an estimate: a few thousandths of a byte is its noise floor.
    rows.add(new Row(what, fmt(bytes.get()) + " B/op", "0 B/op", met(bytes.get() < 0.5)));
  }

  private void limit(
      List<Row> rows, String what, Ref measured, double max, String unit, double nanosPerUnit) {
    String target = "<= " + fmt(max) + " " + unit;
    Optional<Result> r = find(measured.name(), measured.params());
    if (r.isEmpty() || Double.isNaN(r.get().score())) {
      rows.add(new Row(what, NOT_MEASURED, target, "n/a"));
      return;
    }
    double v = r.get().score() / nanosPerUnit;
    double error = r.get().error() / nanosPerUnit;
    rows.add(
        new Row(
            what,
            fmt(v) + (Double.isNaN(error) ? "" : " ± " + fmt(error)) + " " + unit,
            target,
            met(v <= max)));
  }

  private static String met(boolean ok) {
    return ok ? "yes" : "**no**";
  }

  /** A change, e.g. {@code +4.2%}. */
  private static String change(double fraction) {
    return String.format(Locale.ROOT, "%+.1f%%", fraction * 100);
  }

  /** A share, e.g. {@code 98.7%}. */
  private static String share(double fraction) {
    return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }

  /** Three significant digits, no exponent, for numbers from 0.001 to billions. */
  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 0.01 || a == 0) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static Optional<String> procField(String file, String key) {
    try {
      for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
          return Optional.of(line.substring(colon + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static String formatMemory(String memTotal) {
    String[] parts = memTotal.trim().split("\\s+", -1);
    try {
      long kib = Long.parseLong(parts[0]);
      return String.format(Locale.ROOT, "%.1f GiB memory", kib / 1024.0 / 1024.0);
    } catch (RuntimeException e) {
      return memTotal;
    }
  }
}
