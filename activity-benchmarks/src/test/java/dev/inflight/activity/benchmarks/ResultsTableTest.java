package dev.inflight.activity.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultsTableTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ResultsTable.Machine MACHINE =
      new ResultsTable.Machine(2, "Test CPU", "24.0 GiB memory", "Linux 6");

  /** One result as JMH writes it, with an optional allocation and extra secondary metrics. */
  private static ObjectNode result(
      String name,
      Map<String, String> params,
      double score,
      String unit,
      Double bytesPerOp,
      Map<String, Double> extra) {
    ObjectNode r = MAPPER.createObjectNode();
    r.put("jmhVersion", "1.37");
    r.put("benchmark", "dev.inflight.activity.benchmarks." + name);
    r.put("mode", unit.equals("ops/s") ? "thrpt" : "avgt");
    r.put("threads", 1);
    r.put("forks", 1);
    r.put("jdkVersion", "17.0.15");
    r.put("vmName", "OpenJDK 64-Bit Server VM");
    r.put("vmVersion", "17.0.15+6");
    r.put("warmupIterations", 2);
    r.put("warmupTime", "1 s");
    r.put("measurementIterations", 3);
    r.put("measurementTime", "1 s");
    ObjectNode p = r.putObject("params");
    params.forEach(p::put);
    ObjectNode primary = r.putObject("primaryMetric");
    primary.put("score", score);
    primary.put("scoreError", "NaN");
    primary.put("scoreUnit", unit);
    ObjectNode secondary = r.putObject("secondaryMetrics");
    if (bytesPerOp != null) {
      secondary.putObject("gc.alloc.rate.norm").put("score", bytesPerOp).put("scoreUnit", "B/op");
    }
    extra.forEach((k, v) -> secondary.putObject(k).put("score", v).put("scoreUnit", "ns/op"));
    return r;
  }

  private static JsonNode sample() {
    ArrayNode all = MAPPER.createArrayNode();
    all.add(result("UpdateBenchmark.atomicLongAddAndGet", Map.of(), 5.0, "ns/op", 0.0, Map.of()));
    all.add(
        result(
            "UpdateBenchmark.handleAddRx",
            Map.of("activeRows", "1"),
            6.0,
            "ns/op",
            0.001,
            Map.of()));
    all.add(
        result(
            "UpdateBenchmark.handleAddRx",
            Map.of("activeRows", "100000"),
            7.2,
            "ns/op",
            0.001,
            Map.of()));
    all.add(result("DisabledBenchmark.baseline", Map.of(), 0.30, "ns/op", null, Map.of()));
    all.add(result("DisabledBenchmark.noopHandleAddRx", Map.of(), 0.50, "ns/op", null, Map.of()));
    all.add(
        result(
            "SnapshotBenchmark.globalSnapshot",
            Map.of("rows", "10000"),
            2_500_000,
            "ns/op",
            1.5e6,
            Map.of()));
    all.add(
        result(
            "WriterReaderBenchmark.writerAlone",
            Map.of("rows", "10000"),
            5.0,
            "ns/op",
            0.0,
            Map.of()));
    all.add(
        result(
            "WriterReaderBenchmark.writerWithReader",
            Map.of("rows", "10000"),
            1e6,
            "ns/op",
            0.0,
            Map.of("writer", 5.25, "reader", 2e6)));
    all.add(
        result(
            "EndToEndBenchmark.sseStreams",
            Map.of("variant", "disabled"),
            100,
            "ops/s",
            null,
            Map.of()));
    all.add(
        result(
            "EndToEndBenchmark.sseStreams",
            Map.of("variant", "enabled"),
            98,
            "ops/s",
            null,
            Map.of()));
    return all;
  }

  private static ResultsTable.Row row(List<ResultsTable.Row> rows, String prefix) {
    return rows.stream()
        .filter(r -> r.what().startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + prefix));
  }

  @Test
  void targetsCompareAgainstTheBaselinesOfTheSameRun() {
    List<ResultsTable.Row> rows = new ResultsTable(sample()).targets();

    assertThat(row(rows, "byte update vs bare").measured()).startsWith("1.20x");
    assertThat(row(rows, "byte update vs bare").met()).isEqualTo("yes");
    assertThat(row(rows, "byte update at 100,000 rows").measured()).startsWith("1.20x");
    assertThat(row(rows, "byte update at 100,000 rows").met()).isEqualTo("**no**");
    assertThat(row(rows, "disabled: update on the no-op").measured()).startsWith("+0.20 ns");
    assertThat(row(rows, "disabled: update on the no-op").met()).isEqualTo("yes");
    assertThat(row(rows, "snapshot of 10,000 rows").measured()).isEqualTo("2.50 ms");
    assertThat(row(rows, "snapshot of 10,000 rows").met()).isEqualTo("**no**");
    assertThat(row(rows, "writer slowdown while a reader snapshots 10000").measured())
        .startsWith("+5.0%");
    assertThat(row(rows, "end to end (Jetty, SSE)").measured()).startsWith("98.0%");
    assertThat(row(rows, "end to end (Jetty, SSE)").met()).isEqualTo("yes");
  }

  @Test
  void missingBenchmarksAreReportedAsNotMeasured() {
    List<ResultsTable.Row> rows = new ResultsTable(sample()).targets();

    assertThat(row(rows, "open + close of a new row").measured()).isEqualTo("not measured");
    assertThat(row(rows, "open + close of a new row").met()).isEqualTo("n/a");
    assertThat(row(rows, "disabled: allocation").measured()).startsWith("not measured");
  }

  @Test
  void renderNamesTheMachineTheJdkAndTheStatus() {
    String md =
        new ResultsTable(sample())
            .render(MACHINE, "2025-01-02", "preliminary", List.of("load 1.0"), "results/run.json");

    assertThat(md)
        .contains("### Results: preliminary")
        .contains("- Date: 2025-01-02")
        .contains("2 cores, Test CPU, 24.0 GiB memory")
        .contains("- JDK: 17.0.15")
        .contains("- load 1.0\n")
        .contains("| WriterReaderBenchmark.writerWithReader:writer |")
        .contains("`results/run.json`");
  }

  @Test
  void theJsonFileIsNamedWithItsFolder() {
    assertThat(ResultsTable.displayName(Path.of("/tmp/x/results/run.json")))
        .isEqualTo("results/run.json");
  }

  @Test
  void readmeBlockIsReplacedBetweenTheMarkers() {
    String readme = "intro\n" + ResultsTable.BEGIN + "\nold table\n" + ResultsTable.END + "\nend\n";

    String updated = ResultsTable.replaceBlock(readme, "new table\n");

    assertThat(updated)
        .isEqualTo("intro\n" + ResultsTable.BEGIN + "\nnew table\n" + ResultsTable.END + "\nend\n");
    assertThatThrownBy(() -> ResultsTable.replaceBlock("no markers", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("results:begin");
  }

  @Test
  void rejectsAFileThatIsNotJmhOutput() {
    assertThatThrownBy(() -> new ResultsTable(MAPPER.createObjectNode()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JMH");
  }

  @Test
  void numbersKeepThreeSignificantDigits() {
    assertThat(ResultsTable.fmt(5.123)).isEqualTo("5.12");
    assertThat(ResultsTable.fmt(51.23)).isEqualTo("51.2");
    assertThat(ResultsTable.fmt(1_234_567.8)).isEqualTo("1,234,568");
    assertThat(ResultsTable.fmt(0.0012)).isEqualTo("0.0012");
  }
}
