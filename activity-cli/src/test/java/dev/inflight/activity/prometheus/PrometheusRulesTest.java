package dev.inflight.activity.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording and alerting rules shipped in {@code prometheus/}, checked and unit-tested by the
 * real {@code promtool}; broken copies show that the checks can fail.
 */
class PrometheusRulesTest {

  private static final Duration PROMTOOL_TIME = Duration.ofSeconds(60);
  private static final String RULES = "inflight-rules.yml";
  private static final String TESTS = "inflight-rules.test.yml";

  private final Path promtool = PrometheusTools.find("promtool");
  private final Path dir = PrometheusTools.repositoryRoot().resolve("prometheus");

  private PrometheusTools.Result promtool(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = promtool.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    return PrometheusTools.run(PROMTOOL_TIME, command);
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** Copies the rules and their tests, the rules changed by one replacement. */
  private Path copyWithRulesChanged(Path to, String from, String into) throws IOException {
    String rules = read(dir.resolve(RULES));
    assertThat(rules).contains(from);
    Files.writeString(to.resolve(RULES), rules.replace(from, into), StandardCharsets.UTF_8);
    Files.copy(dir.resolve(TESTS), to.resolve(TESTS));
    return to;
  }

  private static List<String> all(String regex, String text) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    List<String> found = new ArrayList<>();
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  @Test
  void theRulesFileIsValid() throws Exception {
    PrometheusTools.Result r = promtool("check", "rules", dir.resolve(RULES).toString());

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: 12 rules found");
  }

  @Test
  void theRulesPassTheirUnitTests() throws Exception {
    PrometheusTools.Result r = promtool("test", "rules", dir.resolve(TESTS).toString());

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void aRulesFileWithABrokenExpressionFailsTheCheck(@TempDir Path tmp) throws Exception {
    copyWithRulesChanged(
        tmp,
        "sum by (job, backend) (inflight_connections_active)",
        "sum by (job, backend) (inflight_connections_active");

    PrometheusTools.Result r = promtool("check", "rules", tmp.resolve(RULES).toString());

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("FAILED").contains("parse error");
  }

  @Test
  void rulesThatAlertTooEarlyFailTheirUnitTests(@TempDir Path tmp) throws Exception {
    // the stuck-streams alert waiting 1 minute instead of 5: still valid, but wrong
    copyWithRulesChanged(
        tmp,
        "inflight_bytes_total[5m])) > 0\n        for: 5m",
        "inflight_bytes_total[5m])) > 0\n        for: 1m");
    assertThat(promtool("check", "rules", tmp.resolve(RULES).toString()).exitCode()).isZero();

    PrometheusTools.Result r = promtool("test", "rules", tmp.resolve(TESTS).toString());

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("FAILED").contains("InflightBackendStuckStreams");
  }

  @Test
  void everyRuleIsUnitTested() throws IOException {
    String rules = read(dir.resolve(RULES));
    String tests = read(dir.resolve(TESTS));
    List<String> records = all("^\\s*- record: (\\S+)$", rules);
    List<String> alerts = all("^\\s*- alert: (\\S+)$", rules);

    assertThat(records).hasSize(7);
    assertThat(alerts)
        .containsExactly(
            "InflightBackendAbortRatioHigh",
            "InflightBackendStuckStreams",
            "InflightEvictionBurst",
            "InflightStalledConnections",
            "InflightOrphanedUpstreamBytes");
    assertThat(all("^\\s*- expr: (\\S+)$", tests)).containsAll(records);
    assertThat(all("^\\s*alertname: (\\S+)$", tests)).containsAll(alerts);
  }
}
