package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.Enablement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemoConfigTest {

  private static final String SOURCE = "config/config.yaml";
  private static final String LABEL = "config file " + SOURCE + ": ";

  private static final String BACKENDS =
      "backends:\n"
          + "  - name: openai.1\n"
          + "    connector_type: openai\n"
          + "    url: builtin\n"
          + "    models: [gpt-4]\n";

  private static DemoConfig parse(String yaml) throws DemoException {
    return DemoConfig.parse(yaml.getBytes(StandardCharsets.UTF_8), SOURCE);
  }

  @Test
  void everyKeyIsBound() throws Exception {
    DemoConfig c =
        parse(
            "enable_activity_tracking: true\n"
                + "activity_stale_timeout_seconds: 42\n"
                + "activity_sweep_interval_seconds: 0.5\n"
                + "activity_stall_after_seconds: 12\n"
                + "activity_max_connections: 7\n"
                + "port: 9100\n"
                + "diagnostics_port: 9901\n"
                + "fake_backend:\n"
                + "  port: 9101\n"
                + "  token_delay_ms: 0\n"
                + "backends:\n"
                + "  - name: local\n"
                + "    connector_type: openai\n"
                + "    url: http://127.0.0.1:8080/v1\n"
                + "    api_key_env: LOCAL_KEY\n"
                + "    models: [a, b]\n");

    assertThat(c.source()).isEqualTo(SOURCE);
    assertThat(c.label()).isEqualTo("config file " + SOURCE);
    assertThat(c.enablementValues()).isEqualTo(Map.of(Enablement.CONFIG_KEY, true));
    assertThat(c.activityValues())
        .isEqualTo(
            Map.of(
                ActivitySettings.KEY_STALE_TIMEOUT, "42",
                ActivitySettings.KEY_SWEEP_INTERVAL, "0.5",
                ActivitySettings.KEY_STALL_AFTER, "12",
                ActivitySettings.KEY_MAX_CONNECTIONS, "7"));
    assertThat(c.port()).isEqualTo(9100);
    assertThat(c.diagnosticsPort()).isEqualTo(9901);
    assertThat(c.fakeBackendPort()).isEqualTo(9101);
    assertThat(c.tokenDelayMillis()).isZero();
    assertThat(c.backends())
        .containsExactly(
            new DemoConfig.Backend(
                "local", "openai", "http://127.0.0.1:8080/v1", "LOCAL_KEY", List.of("a", "b")));
  }

  @Test
  void absentKeysKeepTheirDefaults() throws Exception {
    DemoConfig c = parse(BACKENDS);

    assertThat(c.enablementValues()).isEmpty();
    assertThat(c.activityValues()).isEmpty();
    assertThat(c.port()).isNull();
    assertThat(c.diagnosticsPort()).isNull();
    assertThat(c.fakeBackendPort()).isZero();
    assertThat(c.tokenDelayMillis()).isEqualTo(DemoConfig.DEFAULT_TOKEN_DELAY_MILLIS);
    assertThat(parse("fake_backend:\n" + BACKENDS).tokenDelayMillis())
        .isEqualTo(DemoConfig.DEFAULT_TOKEN_DELAY_MILLIS);
  }

  @Test
  void aNumericTrackingValueIsReadAsTheEnvironmentVariableWouldBe() throws Exception {
    assertThat(parse("enable_activity_tracking: 1\n" + BACKENDS).enablementValues())
        .isEqualTo(Map.of(Enablement.CONFIG_KEY, "1"));
    assertThat(parse("enable_activity_tracking: perhaps\n" + BACKENDS).enablementValues())
        .isEqualTo(Map.of(Enablement.CONFIG_KEY, "perhaps")); // Enablement names it as invalid
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "port: abc                       | port='abc' is not a whole number",
        "port: 80.5                      | port='80.5' is not a whole number",
        "port: true                      | port='true' is not a whole number",
        "port: [1, 2]                    | port must be a whole number, got a list",
        "port: 70000                     | port=70000 is out of range: use 0 to 65535",
        "port: 99999999999               | port=99999999999 is out of range",
        "port: ''                        | port='' is not a whole number",
        "diagnostics_port: admin         | diagnostics_port='admin' is not a whole number",
        "diagnostics_port: 65536         | diagnostics_port=65536 is out of range: use 0 to 65535",
        "fake_backend: {port: 99999999999} | fake_backend.port=99999999999 is out of range",
        "fake_backend: {port: -1}        | fake_backend.port=-1 is out of range: use 0 to 65535",
        "fake_backend: {token_delay_ms: 5000} "
            + "| fake_backend.token_delay_ms=5000 is out of range: use 0 to 1000",
        "fake_backend: {token_delay_ms: slow} "
            + "| fake_backend.token_delay_ms='slow' is not a whole number",
        "fake_backend: fast              | fake_backend='fast' is not a mapping with port and"
            + " token_delay_ms",
        "activity_max_connections: [1]   | activity_max_connections must be a single value, got a"
            + " list",
      })
  void aBadValueNamesTheFileTheKeyAndTheValue(String line, String message) {
    assertThatThrownBy(() -> parse(line + "\n" + BACKENDS))
        .isInstanceOf(DemoException.class)
        .hasMessage(LABEL + message);
  }

  @Test
  void anUnknownKeyIsAnErrorListingTheKnownOnes() {
    assertThatThrownBy(() -> parse("activity_max_conections: 5\n" + BACKENDS))
        .hasMessage(
            LABEL
                + "unknown key 'activity_max_conections' (known keys: activity_count_events,"
                + " activity_max_connections,"
                + " activity_stale_timeout_seconds, activity_stall_after_seconds,"
                + " activity_sweep_interval_seconds, backends, diagnostics_port,"
                + " enable_activity_tracking, fake_backend, port, tls, tls_keystore,"
                + " tls_keystore_password)");
    assertThatThrownBy(() -> parse("fake_backend:\n  delay: 5\n" + BACKENDS))
        .hasMessage(
            LABEL
                + "unknown key 'fake_backend.delay' (known keys in fake_backend: port,"
                + " token_delay_ms)");
    assertThatThrownBy(() -> parse(BACKENDS + "    api_key: secret\n"))
        .hasMessageStartingWith(LABEL + "unknown key 'backends[0].api_key' (known keys in")
        .hasMessageContaining("api_key_env, connector_type, models, name, url)");
  }

  @Test
  void aKeyGivenTwiceIsNotValidYaml() {
    assertThatThrownBy(() -> parse("port: 1\nport: 2\n" + BACKENDS))
        .hasMessageStartingWith(LABEL + "not valid YAML: ")
        .hasMessageContaining("'port'")
        .hasMessageEndingWith("(line 2)");
  }

  @Test
  void theTopLevelMustBeAMapping() throws Exception {
    assertThatThrownBy(() -> parse("- a\n- b\n"))
        .hasMessage(LABEL + "expected a mapping of keys to values at the top level");
    assertThatThrownBy(() -> parse("# only a comment\n"))
        .hasMessage(LABEL + "no backends configured (add a 'backends:' list)");
    assertThatThrownBy(() -> parse(""))
        .hasMessage(LABEL + "no backends configured (add a 'backends:' list)");
  }

  @Test
  void backendMistakesNameTheEntryAndTheKey() {
    assertThatThrownBy(() -> parse("backends: []\n"))
        .hasMessage(LABEL + "no backends configured (the 'backends:' list is empty)");
    assertThatThrownBy(() -> parse("backends: openai\n"))
        .hasMessage(LABEL + "backends='openai' is not a list");
    assertThatThrownBy(() -> parse("backends:\n  - openai\n"))
        .hasMessage(
            LABEL
                + "backends[0]='openai' is not a mapping with name, connector_type, url, models"
                + " (and optionally api_key_env)");
    assertThatThrownBy(() -> parse("backends:\n  -\n"))
        .hasMessage(
            LABEL
                + "backends[0] must be a mapping with name, connector_type, url, models"
                + " (and optionally api_key_env)");
    assertThatThrownBy(() -> parse(BACKENDS.replace("name: openai.1", "name: ''")))
        .hasMessage(LABEL + "backends[0].name must be a non-empty text value");
    assertThatThrownBy(() -> parse(BACKENDS.replace("    connector_type: openai\n", "")))
        .hasMessage(LABEL + "backends[0].connector_type must be a non-empty text value");
    assertThatThrownBy(() -> parse(BACKENDS.replace("name: openai.1", "name: [a]")))
        .hasMessage(LABEL + "backends[0].name must be a single value, got a list");
    assertThatThrownBy(() -> parse(BACKENDS.replace("models: [gpt-4]", "models: gpt-4")))
        .hasMessage(LABEL + "backends[0].models='gpt-4' is not a list");
    assertThatThrownBy(() -> parse(BACKENDS.replace("models: [gpt-4]", "models: [gpt-4, '']")))
        .hasMessage(LABEL + "backends[0].models[1] must be a non-empty text value");
    assertThatThrownBy(() -> parse(BACKENDS.replace("url: builtin", "url: ftp://x")))
        .hasMessage(
            LABEL
                + "backends[0].url must be 'builtin' or an http(s) URL such as"
                + " http://127.0.0.1:8080/v1, got 'ftp://x'");
  }

  @Test
  void theTlsKeysAreBoundAndThePasswordIsNeverPrinted() throws Exception {
    DemoConfig c =
        parse(
            "tls: true\n"
                + "tls_keystore: keys/demo.p12\n"
                + "tls_keystore_password: s3cret\n"
                + BACKENDS);

    assertThat(c.tls()).isEqualTo(new DemoConfig.Tls(true, "keys/demo.p12", "s3cret"));
    assertThat(c.tlsKeyStorePath()).isEqualTo(Path.of("config", "keys", "demo.p12"));
    assertThat(c.toString()).doesNotContain("s3cret").contains("keyStorePassword=(given)");
    assertThat(parse("tls_keystore: /etc/demo.p12\n" + BACKENDS).tlsKeyStorePath())
        .isEqualTo(Path.of("/etc/demo.p12"));
    assertThat(parse(BACKENDS).tls()).isEqualTo(DemoConfig.Tls.NONE);
    assertThat(DemoConfig.builtIn().tls()).isEqualTo(DemoConfig.Tls.NONE);
    assertThatThrownBy(() -> parse("tls: [true]\n" + BACKENDS))
        .hasMessage(LABEL + "tls must be true or false, got a list");
  }

  @Test
  void theBuiltInConfigIsTheShippedFileAndNamedAsSuch() throws Exception {
    DemoConfig builtIn = DemoConfig.builtIn();

    assertThat(builtIn.source()).isEqualTo(DemoConfig.BUILT_IN_SOURCE);
    assertThat(builtIn.label()).isEqualTo(DemoConfig.BUILT_IN_SOURCE);
    assertThat(DemoConfig.load(Path.of("config", "config.yaml")))
        .isEqualTo(
            new DemoConfig(
                "config/config.yaml",
                builtIn.tracking(),
                builtIn.activityValues(),
                builtIn.port(),
                builtIn.diagnosticsPort(),
                builtIn.tls(),
                builtIn.fakeBackendPort(),
                builtIn.tokenDelayMillis(),
                builtIn.backends()));
  }
}
