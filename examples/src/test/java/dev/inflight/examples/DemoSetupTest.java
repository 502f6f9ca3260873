package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.Enablement;
import dev.inflight.activity.Enablement.Source;
import dev.inflight.activity.testing.TestCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DemoSetupTest {

  private static final String BACKENDS =
      "backends:\n"
          + "  - name: openai.1\n"
          + "    connector_type: openai\n"
          + "    url: builtin\n"
          + "    models: [gpt-4]\n";

  @TempDir Path dir;

  private static final String ENABLE = Enablement.ENABLE_FLAG;
  private static final String DISABLE = Enablement.DISABLE_FLAG;

  /**
   * flag(s), ENABLE_ACTIVITY_TRACKING (null = unset), the config line (null = none), then either
   * the expected value and source, or the expected error text.
   */
  static Stream<Arguments> precedence() {
    return Stream.of(
        row(List.of(), null, null, false, Source.DEFAULT),
        row(List.of(), null, "true", true, Source.CONFIG_FILE),
        row(List.of(), null, "false", false, Source.CONFIG_FILE),
        row(List.of(), null, "\"yes\"", true, Source.CONFIG_FILE),
        row(List.of(), null, "1", true, Source.CONFIG_FILE),
        row(List.of(), null, "off", false, Source.CONFIG_FILE),
        row(List.of(), "1", null, true, Source.ENVIRONMENT),
        row(List.of(), "1", "false", true, Source.ENVIRONMENT),
        row(List.of(), "0", "true", false, Source.ENVIRONMENT),
        row(List.of(), " TRUE ", "false", true, Source.ENVIRONMENT),
        row(List.of(), "", "true", true, Source.CONFIG_FILE), // blank counts as unset
        row(List.of(ENABLE), null, null, true, Source.CLI_FLAG),
        row(List.of(ENABLE), "0", "false", true, Source.CLI_FLAG),
        row(List.of(DISABLE), "1", "true", false, Source.CLI_FLAG),
        row(List.of(ENABLE, DISABLE), null, null, false, Source.CLI_FLAG),
        row(List.of(DISABLE, ENABLE), null, null, true, Source.CLI_FLAG),
        row(List.of(ENABLE), "maybe", "perhaps", true, Source.CLI_FLAG), // the flag decides
        row(List.of(), "1", "perhaps", true, Source.ENVIRONMENT),
        error(
            List.of(),
            "maybe",
            "true",
            "environment variable ENABLE_ACTIVITY_TRACKING='maybe' is not a boolean"),
        error(List.of(), "2", null, "ENABLE_ACTIVITY_TRACKING='2'"),
        error(
            List.of(),
            null,
            "perhaps",
            "config file key enable_activity_tracking='perhaps' is not a boolean"),
        error(List.of(), null, "[1, 2]", "enable_activity_tracking must be true or false"),
        error(List.of(), "", "7", "enable_activity_tracking='7'"));
  }

  private static Arguments row(
      List<String> args, @Nullable String env, @Nullable String config, boolean on, Source source) {
    return Arguments.of(args, env, config, on, source, null);
  }

  private static Arguments error(
      List<String> args, @Nullable String env, @Nullable String config, String message) {
    return Arguments.of(args, env, config, false, null, message);
  }

  @ParameterizedTest(name = "args={0} env={1} config={2}")
  @MethodSource("precedence")
  void flagBeatsEnvironmentBeatsConfigFile(
      List<String> args,
      @Nullable String env,
      @Nullable String config,
      boolean on,
      @Nullable Source source,
      @Nullable String message)
      throws Exception {
    Path file = writeConfig(config == null ? "" : "enable_activity_tracking: " + config + "\n");
    Map<String, String> environment = new HashMap<>();
    if (env != null) {
      environment.put(Enablement.ENV_VAR, env);
    }
    if (message == null) {
      DemoSetup setup = resolve(args, environment);
      assertThat(setup.enablement()).isEqualTo(new Enablement(on, source));
      assertThat(setup.settings().enabled()).isEqualTo(on);
    } else {
      assertThatThrownBy(() -> resolve(args, environment))
          .isInstanceOf(DemoException.class)
          .hasMessageContaining(message)
          .satisfies(
              e -> {
                if (message.contains("enable_activity_tracking")) {
                  assertThat(e.getMessage()).contains(file.toString()); // names the file
                }
              });
    }
  }

  @Test
  void aBadValueIsOneErrorLineAndExitCodeTwo() throws IOException {
    writeConfig("");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    DemoProxy.Launch launch =
        DemoProxy.launch(
            new String[0],
            Map.of(Enablement.ENV_VAR, "maybe"),
            dir,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(launch.exitCode()).isEqualTo(2);
    assertThat(launch.proxy()).isNull();
    assertThat(out.size()).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "inflight-demo: error: environment variable ENABLE_ACTIVITY_TRACKING='maybe' is not a"
                + " boolean: use 1/true/yes/on or 0/false/no/off\n");
  }

  @Test
  void anUnknownConfigKeyIsOneErrorLineAndExitCodeTwo() throws IOException {
    Path file = writeConfig("enable_activity_trackin: true\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    DemoProxy.Launch launch =
        DemoProxy.launch(
            new String[0],
            Map.of(),
            dir,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(launch.exitCode()).isEqualTo(2);
    assertThat(launch.proxy()).isNull();
    assertThat(out.size()).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith(
            "inflight-demo: error: config file "
                + file
                + ": unknown key 'enable_activity_trackin' (known keys: ")
        .contains("enable_activity_tracking")
        .hasLineCount(1);
  }

  @Test
  void portComesFromTheFlagThenTheConfigThenDefaults() throws Exception {
    writeConfig("");
    assertThat(resolve(List.of(), Map.of()).port()).isEqualTo(8000);
    writeConfig("port: 9100\n");
    assertThat(resolve(List.of(), Map.of()).port()).isEqualTo(9100);
    assertThat(resolve(List.of("--port", "9200"), Map.of()).port()).isEqualTo(9200);
    assertThat(resolve(List.of("--port=0"), Map.of()).port()).isZero();
  }

  @Test
  void theDiagnosticsPortComesFromTheFlagThenTheConfigElseThereIsNone() throws Exception {
    writeConfig("");
    assertThat(resolve(List.of(), Map.of()).diagnosticsPort()).isNull();
    assertThat(resolve(List.of("--diagnostics-port", "0"), Map.of()).diagnosticsPort()).isZero();
    writeConfig("diagnostics_port: 9901\n");
    assertThat(resolve(List.of(), Map.of()).diagnosticsPort()).isEqualTo(9901);
    assertThat(resolve(List.of("--diagnostics-port=9902"), Map.of()).diagnosticsPort())
        .isEqualTo(9902);
  }

  @Test
  void theDiagnosticsPortCannotBeTheListenPortAndTheErrorNamesItsSource() throws Exception {
    Path file = writeConfig("port: 9100\ndiagnostics_port: 9100\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .isInstanceOf(DemoException.class)
        .hasMessage(
            "config file "
                + file
                + ": diagnostics_port=9100 is the listen port: the diagnostics need a port of"
                + " their own");
    assertThatThrownBy(
            () -> resolve(List.of("--diagnostics-port", "9200", "--port=9200"), Map.of()))
        .hasMessage(
            "--diagnostics-port=9200 is the listen port: the diagnostics need a port of their own");
    writeConfig("diagnostics_port: 1.5\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessage("config file " + file + ": diagnostics_port='1.5' is not a whole number");
    writeConfig("");
    assertThat(resolve(List.of("--port=0", "--diagnostics-port=0"), Map.of()).port()).isZero();
  }

  @Test
  void optionsAreParsedAndChecked() throws Exception {
    writeConfig("");
    DemoSetup s =
        resolve(
            List.of("--demo-traffic", "4", "--host", "0.0.0.0", "--fake-backend-port=9999"),
            Map.of());
    assertThat(s.demoTraffic()).isEqualTo(4);
    assertThat(s.host()).isEqualTo("0.0.0.0");
    assertThat(s.config().fakeBackendPort()).isEqualTo(9999);
    assertThat(DemoOptions.parse(List.of("--help")).helpRequested()).isTrue();

    assertThatThrownBy(() -> resolve(List.of("--port", "http"), Map.of()))
        .hasMessage("--port='http' is not a whole number");
    assertThatThrownBy(() -> resolve(List.of("--port", "70000"), Map.of()))
        .hasMessage("--port=70000 is out of range: use 0 to 65535");
    assertThatThrownBy(() -> resolve(List.of("--demo-traffic"), Map.of()))
        .hasMessageContaining("--demo-traffic")
        .hasMessageEndingWith("(see --help)");
    assertThatThrownBy(() -> resolve(List.of("--demo-traffic", "1000"), Map.of()))
        .hasMessage("--demo-traffic=1000 is out of range: use 0 to 64");
    assertThatThrownBy(() -> resolve(List.of("--verbose"), Map.of()))
        .hasMessage("Unknown option: '--verbose' (see --help)");
    assertThatThrownBy(() -> resolve(List.of("--enable-activity-tracking=yes"), Map.of()))
        .hasMessageContaining("--enable-activity-tracking")
        .hasMessageContaining("'yes'");
  }

  @Test
  void trackerSettingsComeFromTheConfigFile() throws Exception {
    writeConfig(
        "activity_stale_timeout_seconds: 42\n"
            + "activity_stall_after_seconds: 12\n"
            + "activity_max_connections: 7\n"
            + "activity_count_events: true\n");
    DemoSetup s = resolve(List.of(ENABLE), Map.of());
    assertThat(s.settings().countEvents()).isTrue();
    assertThat(s.settings().staleTimeout()).isEqualTo(Duration.ofSeconds(42));
    assertThat(s.settings().stallAfter()).isEqualTo(Duration.ofSeconds(12));
    assertThat(s.settings().maxConnections()).isEqualTo(7);

    writeConfig("activity_max_connections: lots\n");
    assertThatThrownBy(() -> resolve(List.of(ENABLE), Map.of()))
        .isInstanceOf(DemoException.class)
        .hasMessageStartingWith("config file " + dir.resolve("config").resolve("config.yaml"))
        .hasMessageContaining("activity_max_connections='lots'");

    writeConfig("activity_count_events: often\n");
    assertThatThrownBy(() -> resolve(List.of(ENABLE), Map.of()))
        .isInstanceOf(DemoException.class)
        .hasMessageContaining(ActivitySettings.KEY_COUNT_EVENTS)
        .hasMessageContaining("'often'");

    writeConfig("activity_stall_after_seconds: 0\n");
    assertThatThrownBy(() -> resolve(List.of(ENABLE), Map.of()))
        .isInstanceOf(DemoException.class)
        .hasMessageContaining(ActivitySettings.KEY_STALL_AFTER)
        .hasMessageContaining("'0'");
  }

  @Test
  void withoutAConfigFileTheBuiltInOneIsUsed() throws Exception {
    DemoSetup s = resolve(List.of(), Map.of());
    assertThat(s.config().source()).isEqualTo("built-in default config");
    assertThat(s.enablement()).isEqualTo(new Enablement(false, Source.CONFIG_FILE));
    assertThat(s.config().backends())
        .extracting(DemoConfig.Backend::name)
        .containsExactly("openai.1", "openai.2", "anthropic");
    // and it is the file the README points at
    DemoConfig shipped = DemoConfig.load(Path.of("config", "config.yaml"));
    assertThat(shipped.backends()).isEqualTo(s.config().backends());
  }

  @Test
  void configMistakesNameTheFileAndTheKey() throws Exception {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> resolve(List.of("--config", missing.toString()), Map.of()))
        .hasMessage("config file " + missing + " not found");

    Path file = writeConfigRaw("backends: [\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessageContaining(file + ": not valid YAML");

    writeConfigRaw("port: 8000\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessageContaining("no backends configured");

    writeConfigRaw(BACKENDS.replace("url: builtin", "url: ftp://x"));
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessageContaining("backends[0].url must be 'builtin' or an http(s) URL");

    writeConfigRaw(BACKENDS.replace("models: [gpt-4]", "models: []"));
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessageContaining("backends[0].models must be a non-empty list");

    writeConfigRaw(BACKENDS + BACKENDS.replace("backends:\n", ""));
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessageContaining("duplicate backend name 'openai.1'");

    file = writeConfigRaw(BACKENDS + "fake_backend:\n  token_delay_ms: 5000\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessage(
            "config file "
                + file
                + ": fake_backend.token_delay_ms=5000 is out of range: use 0 to"
                + " 1000");
  }

  @Test
  void tlsComesFromTheFlagThenTheConfigElseItIsOff() throws Exception {
    writeConfig("");
    assertThat(resolve(List.of(), Map.of()).tls()).isNull();
    DemoTls selfSigned = resolve(List.of("--tls"), Map.of()).tls();
    assertThat(selfSigned).isNotNull();
    assertThat(selfSigned.origin()).startsWith("self-signed certificate");
    writeConfig("tls: true\n");
    assertThat(resolve(List.of(), Map.of()).tls()).isNotNull();
    assertThat(resolve(List.of("--no-tls"), Map.of()).tls()).isNull();
    writeConfig("tls: false\n");
    assertThat(resolve(List.of("--tls"), Map.of()).tls()).isNotNull();
    assertThat(resolve(List.of("--tls", "--no-tls"), Map.of()).tls()).as("the last wins").isNull();
  }

  @Test
  void theKeyStorePasswordComesFromTheFlagThenTheEnvironmentThenTheConfig() throws Exception {
    TestCertificate cert = TestCertificate.get();
    String store = cert.keyStorePath().toString();
    Map<String, String> goodEnv = Map.of(DemoTls.PASSWORD_ENV, cert.password());
    Map<String, String> badEnv = Map.of(DemoTls.PASSWORD_ENV, "not-it");
    Path file = writeConfig("tls: true\ntls_keystore: " + store + "\n");
    assertThat(resolve(List.of(), goodEnv).tls().origin()).isEqualTo("key store " + store);
    assertThat(resolve(List.of("--tls-keystore-password", cert.password()), badEnv).tls())
        .as("the flag beats the environment")
        .isNotNull();

    writeConfig("tls: true\ntls_keystore: " + store + "\ntls_keystore_password: wrong\n");
    assertThat(resolve(List.of(), goodEnv).tls())
        .as("the environment beats the config")
        .isNotNull();
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessage(
            "config file "
                + file
                + ": tls_keystore='"
                + store
                + "' does not open with the password from config file "
                + file
                + ": tls_keystore_password");
    assertThatThrownBy(() -> resolve(List.of(), badEnv))
        .hasMessageEndingWith(
            "does not open with the password from environment variable " + DemoTls.PASSWORD_ENV)
        .hasMessageNotContaining("not-it");
    assertThatThrownBy(() -> resolve(List.of("--tls-keystore-password=nope"), goodEnv))
        .hasMessageEndingWith("does not open with the password from --tls-keystore-password")
        .hasMessageNotContaining("nope");
  }

  @Test
  void aRelativeKeyStoreInTheConfigIsReadFromTheConfigFilesFolder() throws Exception {
    TestCertificate cert = TestCertificate.get();
    Path file = writeConfig("tls: true\ntls_keystore: keys/demo.p12\n");
    Path copy = file.getParent().resolve("keys").resolve("demo.p12");
    Files.createDirectories(copy.getParent());
    Files.copy(cert.keyStorePath(), copy);

    DemoTls tls = resolve(List.of(), Map.of(DemoTls.PASSWORD_ENV, cert.password())).tls();

    assertThat(tls.origin()).isEqualTo("key store " + copy);
    assertThat(tls.certificate()).isEqualTo(cert.keyStore().getCertificate(TestCertificate.ALIAS));
  }

  @Test
  void keyStoreMistakesNameTheirSourceAndValue() throws Exception {
    TestCertificate cert = TestCertificate.get();
    String store = cert.keyStorePath().toString();
    String password = cert.password();
    Path missing = dir.resolve("missing.p12");
    Path file = writeConfig("");

    assertThatThrownBy(() -> resolve(List.of("--tls-keystore", store), Map.of()))
        .isInstanceOf(DemoException.class)
        .hasMessage(
            "--tls-keystore='" + store + "' needs TLS: add --tls or 'tls: true' in the config");
    assertThatThrownBy(
            () ->
                resolve(
                    List.of("--tls", "--tls-keystore", missing.toString()),
                    Map.of(DemoTls.PASSWORD_ENV, password)))
        .hasMessage("--tls-keystore='" + missing + "' does not exist");
    assertThatThrownBy(
            () ->
                resolve(
                    List.of("--tls", "--tls-keystore=" + dir, "--tls-keystore-password", password),
                    Map.of()))
        .hasMessage("--tls-keystore='" + dir + "' is not a file");
    assertThatThrownBy(
            () ->
                resolve(
                    List.of("--tls", "--tls-keystore", file.toString()),
                    Map.of(DemoTls.PASSWORD_ENV, password)))
        .as("a YAML file is no key store")
        .hasMessageStartingWith("--tls-keystore='" + file + "' ")
        .hasMessageContaining("key store")
        .hasMessageNotContaining(password);
    assertThatThrownBy(() -> resolve(List.of("--tls", "--tls-keystore", store), Map.of()))
        .hasMessage(
            "--tls-keystore='"
                + store
                + "' needs its password: --tls-keystore-password, environment variable "
                + DemoTls.PASSWORD_ENV
                + " or tls_keystore_password in the config");
    assertThatThrownBy(() -> resolve(List.of("--tls", "--tls-keystore-password=x"), Map.of()))
        .hasMessage("--tls-keystore-password is given without a key store: add --tls-keystore");
    assertThatThrownBy(() -> resolve(List.of("--tls-keystore="), Map.of()))
        .hasMessage("--tls-keystore='' is not a path");

    // from the config file
    writeConfig("tls_keystore: " + store + "\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of(DemoTls.PASSWORD_ENV, password)))
        .hasMessage(
            "config file "
                + file
                + ": tls_keystore='"
                + store
                + "' needs TLS: add --tls or 'tls: true' in the config");
    assertThat(resolve(List.of("--no-tls"), Map.of()).tls())
        .as("--no-tls turns off TLS with its key store")
        .isNull();
    writeConfig("tls: true\ntls_keystore: missing.p12\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of(DemoTls.PASSWORD_ENV, password)))
        .hasMessage("config file " + file + ": tls_keystore='missing.p12' does not exist");
    writeConfig("tls: true\ntls_keystore_password: secret\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessage(
            "config file " + file + ": tls_keystore_password is given without tls_keystore");
    writeConfig("tls: maybe\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessage("config file " + file + ": tls='maybe' is not true or false");
    writeConfig("tls: true\ntls_keystore: ''\n");
    assertThatThrownBy(() -> resolve(List.of(), Map.of()))
        .hasMessageStartingWith("config file " + file + ": tls_keystore");
  }

  @Test
  void aKeyStoreMistakeIsOneErrorLineAndExitCodeTwo() throws IOException {
    writeConfig("");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String store = TestCertificate.get().keyStorePath().toString();

    DemoProxy.Launch launch =
        DemoProxy.launch(
            new String[] {"--tls", "--tls-keystore", store},
            Map.of(DemoTls.PASSWORD_ENV, "wrong-password"),
            dir,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(launch.exitCode()).isEqualTo(2);
    assertThat(launch.proxy()).isNull();
    assertThat(out.size()).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "inflight-demo: error: --tls-keystore='"
                + store
                + "' does not open with the password from environment variable "
                + DemoTls.PASSWORD_ENV
                + "\n");
  }

  private DemoSetup resolve(List<String> args, Map<String, String> env) throws DemoException {
    return DemoSetup.resolve(args, env, dir);
  }

  private Path writeConfig(String extra) throws IOException {
    return writeConfigRaw(extra + BACKENDS);
  }

  private Path writeConfigRaw(String text) throws IOException {
    Path file = dir.resolve("config").resolve("config.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }
}
