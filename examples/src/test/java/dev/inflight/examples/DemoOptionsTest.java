package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.Enablement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemoOptionsTest {

  @TempDir Path dir;

  private static DemoOptions parse(String... args) throws DemoException {
    return DemoOptions.parse(List.of(args));
  }

  @Test
  void withoutArgumentsEverythingHasItsDefault() throws Exception {
    DemoOptions o = parse();

    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isNull();
    assertThat(o.fakeBackendPort()).isNull();
    assertThat(o.demoTraffic()).isZero();
    assertThat(o.config()).isNull();
    assertThat(o.trackingFlags()).isEmpty();
    assertThat(o.helpRequested()).isFalse();
  }

  @Test
  void valuesAreReadSeparateOrAfterAnEqualsSign() throws Exception {
    DemoOptions o =
        parse(
            "--port",
            "9000",
            "--host=0.0.0.0",
            "--demo-traffic",
            "64",
            "--fake-backend-port=0",
            "--config",
            "other.yaml");

    assertThat(o.port()).isEqualTo(9000);
    assertThat(o.host()).isEqualTo("0.0.0.0");
    assertThat(o.demoTraffic()).isEqualTo(64);
    assertThat(o.fakeBackendPort()).isZero();
    assertThat(o.config()).isEqualTo(Path.of("other.yaml"));
  }

  @Test
  void tlsOptionsAreRead() throws Exception {
    assertThat(parse().tls()).isNull();
    assertThat(parse().tlsKeyStore()).isNull();
    assertThat(parse().tlsKeyStorePassword()).isNull();
    assertThat(parse("--tls").tls()).isTrue();
    assertThat(parse("--no-tls").tls()).isFalse();
    assertThat(parse("--no-tls", "--tls").tls()).isTrue();
    DemoOptions o = parse("--tls", "--tls-keystore", "k.p12", "--tls-keystore-password=pw");
    assertThat(o.tlsKeyStore()).isEqualTo("k.p12");
    assertThat(o.tlsKeyStorePassword()).isEqualTo("pw");
    assertThatThrownBy(() -> parse("--tls-keystore", " "))
        .hasMessage("--tls-keystore=' ' is not a path");
    assertThatThrownBy(() -> parse("--tls=yes"))
        .hasMessageContaining("--tls")
        .hasMessageEndingWith("(see --help)");
    assertThat(DemoOptions.usage())
        .contains("--[no-]tls ")
        .contains("--tls-keystore=PATH ")
        .contains("--tls-keystore-password=PW ")
        .contains(DemoTls.PASSWORD_ENV);
  }

  @Test
  void theLastValueOfAnOptionGivenTwiceWins() throws Exception {
    assertThat(parse("--port", "1", "--port", "2").port()).isEqualTo(2);
  }

  @Test
  void trackingFlagsAreKeptInTheOrderGivenForCoresPrecedence() throws Exception {
    DemoOptions o =
        parse(
            Enablement.DISABLE_FLAG, "--port", "1", Enablement.ENABLE_FLAG, Enablement.ENABLE_FLAG);

    assertThat(o.trackingFlags())
        .containsExactly(Enablement.DISABLE_FLAG, Enablement.ENABLE_FLAG, Enablement.ENABLE_FLAG);
    assertThat(Enablement.resolve(o.trackingFlags(), Map.of(), Map.of()))
        .isEqualTo(new Enablement(true, Enablement.Source.CLI_FLAG));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--port              | http  | --port='http' is not a whole number",
        "--port              | 8.5   | --port='8.5' is not a whole number",
        "--port              | 70000 | --port=70000 is out of range: use 0 to 65535",
        "--port              | -1    | --port=-1 is out of range: use 0 to 65535",
        "--diagnostics-port  | admin | --diagnostics-port='admin' is not a whole number",
        "--diagnostics-port  | 65536 | --diagnostics-port=65536 is out of range: use 0 to 65535",
        "--fake-backend-port | x     | --fake-backend-port='x' is not a whole number",
        "--fake-backend-port | 65536 | --fake-backend-port=65536 is out of range: use 0 to 65535",
        "--demo-traffic      | many  | --demo-traffic='many' is not a whole number",
        "--demo-traffic      | 1000  | --demo-traffic=1000 is out of range: use 0 to 64",
        "--host              | ' '   | --host=' ' is not an address",
      })
  void aBadValueNamesTheOptionAndTheValue(String option, String value, String message) {
    assertThatThrownBy(() -> parse(option, value)).hasMessage(message);
    assertThatThrownBy(() -> parse(option + "=" + value)).hasMessage(message);
  }

  @Test
  void aMissingValueNamesTheOptionAndPointsToHelp() {
    assertThatThrownBy(() -> parse("--demo-traffic"))
        .isInstanceOf(DemoException.class)
        .hasMessageContaining("'--demo-traffic'")
        .hasMessageEndingWith("(see --help)");
  }

  @Test
  void anUnknownOptionIsNamedAndPointsToHelp() {
    assertThatThrownBy(() -> parse("--verbose"))
        .hasMessage("Unknown option: '--verbose' (see --help)");
    assertThatThrownBy(() -> parse("extra"))
        .hasMessageContaining("'extra'")
        .hasMessageEndingWith("(see --help)");
  }

  @Test
  void aTrackingFlagTakesNoValue() {
    assertThatThrownBy(() -> parse(Enablement.ENABLE_FLAG + "=yes"))
        .hasMessageContaining(Enablement.ENABLE_FLAG)
        .hasMessageContaining("'yes'")
        .hasMessageEndingWith("(see --help)");
  }

  @Test
  void helpListsEveryOptionAndThePrecedence() throws Exception {
    assertThat(parse("--help").helpRequested()).isTrue();
    assertThat(parse("-h").helpRequested()).isTrue();

    String usage = DemoOptions.usage();

    assertThat(usage)
        .startsWith("Usage: inflight-demo [options]\n")
        .contains("/v1/diagnostics/activity")
        .containsSubsequence(
            Enablement.ENABLE_FLAG,
            Enablement.DISABLE_FLAG,
            "--port=N",
            "--host=ADDRESS",
            "--config=PATH",
            "--demo-traffic=N",
            "--fake-backend-port=N",
            "-h, --help",
            "Activity tracking is decided by")
        .contains("--enable-activity-tracking    turn tracking on")
        .contains("--disable-activity-tracking   turn tracking off")
        .contains("--port=N")
        .contains("--host=ADDRESS")
        .contains("--config=PATH")
        .contains("--demo-traffic=N")
        .contains("--fake-backend-port=N")
        .contains("-h, --help")
        .contains("the environment variable " + Enablement.ENV_VAR + " (1/true/yes/on or")
        .contains("'" + Enablement.CONFIG_KEY + "' in the config file")
        .contains("otherwise it is off")
        .endsWith("\n");
    assertThat(usage.lines())
        .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(100));
  }

  @Test
  void theReadmeShowsTheHelpAsPrinted() throws IOException {
    assertThat(Files.readString(Path.of("README.md")))
        .contains("```\n" + DemoOptions.usage() + "```");
  }

  @Test
  void helpIsPrintedEvenWhenTheConfigFileIsBroken() throws IOException {
    Path config = dir.resolve("config").resolve("config.yaml");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "backends: [\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    DemoProxy.Launch launch =
        DemoProxy.launch(
            new String[] {"--help"},
            Map.of(Enablement.ENV_VAR, "maybe"),
            dir,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(launch.exitCode()).isZero();
    assertThat(launch.proxy()).isNull();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(DemoOptions.usage());
    assertThat(err.size()).isZero();
  }

  @Test
  void aBadOptionIsOneErrorLineAndExitCodeTwo() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    DemoProxy.Launch launch =
        DemoProxy.launch(
            new String[] {"--port", "x"},
            Map.of(),
            dir,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(launch.exitCode()).isEqualTo(2);
    assertThat(launch.proxy()).isNull();
    assertThat(out.size()).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("inflight-demo: error: --port='x' is not a whole number\n");
  }
}
