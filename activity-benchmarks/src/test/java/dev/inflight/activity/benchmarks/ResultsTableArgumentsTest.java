package dev.inflight.activity.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of {@link ResultsTable#main}, run in-process on real files. */
class ResultsTableArgumentsTest {

  /** One result as JMH writes it with {@code -rf json}. */
  private static final String RESULT =
      "[{\"jmhVersion\":\"1.37\",\"benchmark\":\"dev.inflight.activity.benchmarks"
          + ".UpdateBenchmark.atomicLongAddAndGet\",\"mode\":\"avgt\",\"threads\":1,\"forks\":1,"
          + "\"jdkVersion\":\"17.0.15\",\"vmName\":\"OpenJDK 64-Bit Server VM\","
          + "\"vmVersion\":\"17.0.15+6\",\"warmupIterations\":2,\"warmupTime\":\"1 s\","
          + "\"measurementIterations\":3,\"measurementTime\":\"1 s\",\"params\":{},"
          + "\"primaryMetric\":{\"score\":5.0,\"scoreError\":\"NaN\",\"scoreUnit\":\"ns/op\"},"
          + "\"secondaryMetrics\":{}}]";

  @TempDir Path dir;

  private Path json;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void writeResults() throws IOException {
    json = Files.writeString(dir.resolve("run.json"), RESULT);
  }

  private int run(String... args) {
    return ResultsTable.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theTableGoesToStandardOutputWithTheGivenDateStatusAndNotes() {
    int code =
        run(
            json.toString(),
            "--status",
            "preliminary",
            "--date=2025-01-02",
            "--note",
            "load 1.0",
            "--note",
            "preset quick");

    assertThat(code).isZero();
    assertThat(err()).isEmpty();
    assertThat(out())
        .startsWith("### Results: preliminary\n")
        .contains("- Date: 2025-01-02\n")
        .containsSubsequence("- load 1.0\n", "- preset quick\n")
        .contains("`" + dir.getFileName() + "/run.json`");
  }

  @Test
  void outWritesTheFileAndReadmeReplacesItsBlock() throws IOException {
    Path md = dir.resolve("run.md");
    Path readme =
        Files.writeString(
            dir.resolve("README.md"),
            "intro\n" + ResultsTable.BEGIN + "\nold\n" + ResultsTable.END + "\nend\n");

    int code = run(json.toString(), "--out", md.toString(), "--readme", readme.toString());

    assertThat(code).isZero();
    assertThat(out()).isEmpty();
    String table = Files.readString(md);
    assertThat(table).startsWith("### Results\n");
    assertThat(Files.readString(readme))
        .isEqualTo("intro\n" + ResultsTable.BEGIN + "\n" + table + ResultsTable.END + "\nend\n");
  }

  @Test
  void helpListsEveryOption() {
    assertThat(run("--help")).isZero();

    assertThat(out())
        .startsWith(
            "Usage: java -cp benchmarks.jar dev.inflight.activity.benchmarks.ResultsTable"
                + " RESULT.json [options]\n")
        .containsSubsequence(
            "RESULT.json",
            "--status=TEXT",
            "--out=FILE.md",
            "--readme=README.md",
            ResultsTable.BEGIN,
            "--date=YYYY-MM-DD",
            "--note=TEXT",
            "-h, --help",
            "Exit codes: 0 done, 1");
    assertThat(err()).isEmpty();
  }

  @Test
  void withoutTheJsonFileTheUsageIsShownAndTheExitCodeIsTwo() {
    assertThat(run()).isEqualTo(2);

    assertThat(err())
        .startsWith("ResultsTable: Missing required parameter: 'RESULT.json'\n")
        .contains("Usage: java -cp benchmarks.jar");
    assertThat(out()).isEmpty();
  }

  @Test
  void anUnknownOptionIsNamed() {
    assertThat(run(json.toString(), "--colour", "red")).isEqualTo(2);

    assertThat(err()).startsWith("ResultsTable: Unknown options: '--colour', 'red'\n");
  }

  @Test
  void anOptionWithoutItsValueIsNamed() {
    assertThat(run(json.toString(), "--status")).isEqualTo(2);

    assertThat(err()).startsWith("ResultsTable: Missing required parameter for option '--status'");
  }

  @Test
  void aSecondJsonFileIsRefused() {
    assertThat(run(json.toString(), json.toString())).isEqualTo(2);

    assertThat(err()).startsWith("ResultsTable: Unmatched argument").contains(json.toString());
  }

  @Test
  void aBadDateNamesTheOptionAndTheValue() {
    assertThat(run(json.toString(), "--date", "2025-13-01")).isEqualTo(2);

    assertThat(err())
        .startsWith("ResultsTable: Invalid value for option '--date'")
        .contains("'2025-13-01' is not a date: use YYYY-MM-DD");
    assertThat(out()).isEmpty();
  }

  @Test
  void aMissingOrUnreadableFileIsOneLineAndExitCodeOne() throws IOException {
    Path missing = dir.resolve("missing.json");
    assertThat(run(missing.toString())).isEqualTo(1);
    assertThat(err()).isEqualTo("ResultsTable: " + missing + ": no such file\n");

    err.reset();
    Path text = Files.writeString(dir.resolve("text.json"), "not json");
    assertThat(run(text.toString())).isEqualTo(1);
    assertThat(err()).startsWith("ResultsTable: " + text + ": not JSON (");

    err.reset();
    Path object = Files.writeString(dir.resolve("object.json"), "{}");
    assertThat(run(object.toString())).isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "ResultsTable: "
                + object
                + ": not a JMH JSON result file: expected a non-empty array\n");
    assertThat(out()).isEmpty();
  }

  @Test
  void aReadmeWithoutMarkersFailsAfterTheTableIsWritten() throws IOException {
    Path md = dir.resolve("run.md");
    Path readme = Files.writeString(dir.resolve("README.md"), "no markers here\n");

    assertThat(run(json.toString(), "--out", md.toString(), "--readme", readme.toString()))
        .isEqualTo(1);

    assertThat(err()).startsWith("ResultsTable: " + readme + ": the README has no ");
    assertThat(Files.readString(md)).startsWith("### Results");
    assertThat(Files.readString(readme)).isEqualTo("no markers here\n");
  }
}
