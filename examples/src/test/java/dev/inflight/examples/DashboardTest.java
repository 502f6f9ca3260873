package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code dashboards/inflight.json} imports into Grafana as it is: a unique id, a title and a
 * Prometheus query on every panel, all through the {@code datasource} variable, and a multi-value
 * {@code backend} variable. That every query returns data from a real Prometheus is {@link
 * FleetTest}'s part; the helpers it uses to read the dashboard are here.
 */
class DashboardTest {

  /** The dashboard, from the examples module's directory, where the tests run. */
  static final Path FILE = Path.of("..", "dashboards", "inflight.json");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\((.+),\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)");
  private static final Pattern REGEX_META = Pattern.compile("[\\\\$^*{}\\[\\]'+?.()|]");
  private static final String DATASOURCE = "${datasource}";

  /** A query variable, {@code label_values(selector, label)}. */
  record LabelValues(String name, String selector, String label) {}

  static JsonNode load() throws IOException {
    return JSON.readTree(Files.readString(FILE));
  }

  /** The panels, rows and the panels inside collapsed rows alike, in the file's order. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      all.add(p);
      p.path("panels").forEach(all::add);
    }
    return all;
  }

  /** The panels that draw data: every panel but rows. */
  static List<JsonNode> dataPanels(JsonNode dashboard) {
    return panels(dashboard).stream()
        .filter(p -> !"row".equals(p.path("type").asText()))
        .collect(Collectors.toList());
  }

  /** Every target's PromQL, in panel order. */
  static List<String> expressions(JsonNode dashboard) {
    List<String> exprs = new ArrayList<>();
    for (JsonNode p : dataPanels(dashboard)) {
      for (JsonNode t : p.path("targets")) {
        exprs.add(t.path("expr").asText());
      }
    }
    return exprs;
  }

  /** The query variables, in the order Grafana resolves them (each may use the ones before). */
  static List<LabelValues> labelValues(JsonNode dashboard) {
    List<LabelValues> vars = new ArrayList<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if ("query".equals(v.path("type").asText())) {
        String definition = v.path("definition").asText();
        Matcher m = LABEL_VALUES.matcher(definition);
        assertThat(m.matches()).as("variable %s: %s", v.path("name"), definition).isTrue();
        vars.add(new LabelValues(v.path("name").asText(), m.group(1).trim(), m.group(2)));
      }
    }
    return vars;
  }

  /**
   * Replaces {@code $name} and {@code ${name}} as Grafana does; longer names first, so {@code
   * $__rate_interval} is not read as {@code $__rate} followed by text.
   */
  static String substitute(String text, Map<String, String> values) {
    String out = text;
    List<String> names =
        values.keySet().stream()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .collect(Collectors.toList());
    for (String name : names) {
      out = out.replace("${" + name + "}", values.get(name)).replace("$" + name, values.get(name));
    }
    return out;
  }

  /**
   * What Grafana puts in a PromQL string for a multi-value variable: {@code (a|b)}, each value's
   * regex characters escaped with a backslash that is itself escaped for the string literal.
   */
  static String regexOf(Collection<String> values) {
    return values.stream()
        .sorted()
        .map(
            v ->
                REGEX_META
                    .matcher(v)
                    .replaceAll(r -> "\\\\\\\\" + Matcher.quoteReplacement(r.group())))
        .collect(Collectors.joining("|", "(", ")"));
  }

  @Test
  void everyPanelHasATitleAUniqueIdAndAQuery() throws IOException {
    JsonNode dashboard = load();
    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : panels(dashboard)) {
      assertThat(p.path("id").isInt()).as("panel id: %s", p).isTrue();
      assertThat(ids.add(p.path("id").asInt()))
          .as("a second panel with id %s", p.path("id"))
          .isTrue();
      assertThat(p.path("title").asText()).as("panel %s's title", p.path("id")).isNotBlank();
      assertThat(p.path("gridPos").path("w").asInt())
          .as("panel %s's width", p.path("id"))
          .isPositive();
    }
    List<JsonNode> data = dataPanels(dashboard);
    assertThat(data).hasSizeGreaterThanOrEqualTo(11);
    for (JsonNode p : data) {
      String title = p.path("title").asText();
      assertThat(p.path("targets")).as("%s's targets", title).isNotEmpty();
      Set<String> refIds = new HashSet<>();
      for (JsonNode t : p.path("targets")) {
        assertThat(t.path("expr").asText()).as("%s: a target's expr", title).isNotBlank();
        assertThat(refIds.add(t.path("refId").asText())).as("%s: refIds", title).isTrue();
      }
      assertThat(p.path("description").asText()).as("%s's description", title).isNotBlank();
    }
    assertThat(expressions(dashboard))
        .allSatisfy(e -> assertThat(e).contains("by (backend"))
        .filteredOn(e -> e.contains("rate("))
        .allSatisfy(e -> assertThat(e).contains("[$__rate_interval]"));
  }

  @Test
  void importsWithoutEditingUnderItsOwnUid() throws IOException {
    JsonNode dashboard = load();
    assertThat(dashboard.path("uid").asText()).isEqualTo("inflight-connections");
    assertThat(dashboard.path("id").isNull()).as("id: Grafana gives one on import").isTrue();
    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
    assertThat(dashboard.has("__inputs")).as("no import-time inputs to fill").isFalse();

    JsonNode datasource = variable(dashboard, "datasource");
    assertThat(datasource.path("type").asText()).isEqualTo("datasource");
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
    for (JsonNode p : dataPanels(dashboard)) {
      assertThat(p.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
      for (JsonNode t : p.path("targets")) {
        assertThat(t.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
      }
    }
  }

  @Test
  void backendIsAMultiValueChoiceOfTheBackendsWithActiveRowGauges() throws IOException {
    JsonNode dashboard = load();
    JsonNode backend = variable(dashboard, "backend");
    assertThat(backend.path("multi").asBoolean()).isTrue();
    assertThat(backend.path("includeAll").asBoolean()).isTrue();
    assertThat(backend.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
    assertThat(labelValues(dashboard))
        .contains(
            new LabelValues(
                "backend",
                "inflight_connections_active{job=~\"$job\", instance=~\"$instance\"}",
                "backend"));
    assertThat(dataPanels(dashboard))
        .allSatisfy(
            p ->
                assertThat(p.path("targets"))
                    .allSatisfy(
                        t ->
                            assertThat(t.path("expr").asText()).contains("backend=~\"$backend\"")));
  }

  @Test
  void substitutesVariablesAsGrafanaDoes() {
    Map<String, String> values =
        Map.of(
            "__rate_interval",
            "5s",
            "__rate",
            "wrong",
            "backend",
            regexOf(List.of("openai.1", "b")));
    assertThat(substitute("rate(x{backend=~\"$backend\"}[$__rate_interval]) ${backend}", values))
        .isEqualTo("rate(x{backend=~\"(b|openai\\\\.1)\"}[5s]) (b|openai\\\\.1)");
  }

  private static JsonNode variable(JsonNode dashboard, String name) {
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    throw new AssertionError("no variable " + name);
  }
}
