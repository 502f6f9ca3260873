package dev.inflight.examples;

import dev.inflight.activity.Enablement;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The demo's command line, parsed by picocli. Each value is checked as it is read, so a mistake is
 * one line naming the option and the value ({@code --port='http' is not a whole number}).
 *
 * <p>The two tracking flags are kept in the order given: core's {@link Enablement} decides (the
 * last one wins, and a flag beats the environment variable and the config file).
 */
@Command(
    name = "inflight-demo",
    customSynopsis = "inflight-demo [options]",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "A demo LLM proxy (OpenAI-compatible POST /v1/chat/completions) with inflight's",
      "activity tracking: GET /v1/diagnostics and /v1/diagnostics/activity.",
      ""
    },
    footer = {
      "",
      "Activity tracking is decided by, highest first:",
      "  the flags "
          + Enablement.ENABLE_FLAG
          + " / "
          + Enablement.DISABLE_FLAG
          + " (the last one wins),",
      "  the environment variable " + Enablement.ENV_VAR + " (1/true/yes/on or 0/false/no/off),",
      "  '" + Enablement.CONFIG_KEY + "' in the config file;",
      "  otherwise it is off.",
      "Exit codes: 0 help shown, 1 cannot start, 2 bad argument, environment variable",
      "or config value. Otherwise the demo runs until Ctrl+C."
    })
final class DemoOptions {

  static final int MAX_PORT = 65_535;
  static final int MAX_DEMO_TRAFFIC = 64;
  static final String TLS_FLAG = "--tls";
  static final String KEYSTORE_FLAG = "--tls-keystore";
  static final String PASSWORD_FLAG = "--tls-keystore-password";

  private final List<String> trackingFlags = new ArrayList<>();
  private String host = "127.0.0.1";
  private @Nullable Integer port;
  private @Nullable Integer diagnosticsPort;
  private @Nullable Integer fakeBackendPort;
  private int demoTraffic;
  private @Nullable Boolean tls;
  private @Nullable String tlsKeyStore;
  private @Nullable String tlsKeyStorePassword;

  @Option(
      names = "--config",
      order = 9,
      paramLabel = "PATH",
      description = "config file (default config/config.yaml, else the built-in copy)")
  private @Nullable Path config;

  @Option(
      names = {"-h", "--help"},
      order = 12,
      usageHelp = true,
      description = "show this help")
  private boolean help;

  @Spec private CommandSpec spec = CommandSpec.create(); // replaced by picocli

  private DemoOptions() {}

  /**
   * Parses the command line.
   *
   * @param args the arguments
   * @return the options
   * @throws DemoException one line naming the bad option or value
   */
  static DemoOptions parse(List<String> args) throws DemoException {
    DemoOptions options = new DemoOptions();
    CommandLine cl = commandLine(options);
    try {
      cl.parseArgs(args.toArray(new String[0]));
    } catch (BadValue e) {
      throw new DemoException(String.valueOf(e.getMessage()));
    } catch (CommandLine.ParameterException e) {
      throw new DemoException(e.getMessage() + " (see --help)");
    }
    return options;
  }

  /**
   * The help text {@code --help} prints.
   *
   * @return the usage text, ending with a line break
   */
  static String usage() {
    StringWriter text = new StringWriter();
    commandLine(new DemoOptions()).usage(new PrintWriter(text), CommandLine.Help.Ansi.OFF);
    return text.toString();
  }

  private static CommandLine commandLine(DemoOptions options) {
    CommandLine cl = new CommandLine(options);
    cl.setOverwrittenOptionsAllowed(true); // as with most tools: the last --port wins
    cl.setUsageHelpLongOptionsMaxWidth(28); // the longest option and its description on one line
    return cl;
  }

  @Option(
      names = Enablement.ENABLE_FLAG,
      order = 1,
      description = "turn tracking on (beats " + Enablement.ENV_VAR + " and the config)")
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void enable(boolean given) {
    if (given) {
      trackingFlags.add(Enablement.ENABLE_FLAG);
    }
  }

  @Option(names = Enablement.DISABLE_FLAG, order = 2, description = "turn tracking off")
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void disable(boolean given) {
    if (given) {
      trackingFlags.add(Enablement.DISABLE_FLAG);
    }
  }

  @Option(
      names = "--port",
      order = 3,
      paramLabel = "N",
      description = "listen port (default: config 'port', else 8000; 0 = any)")
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void port(String value) {
    port = number("--port", value, 0, MAX_PORT);
  }

  @Option(
      names = "--host",
      order = 4,
      paramLabel = "ADDRESS",
      description = "listen address (default 127.0.0.1)")
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void host(String value) {
    if (value.isBlank()) {
      throw new BadValue(spec.commandLine(), "--host='" + value + "' is not an address");
    }
    host = value.trim();
  }

  @Option(
      names = "--diagnostics-port",
      order = 5,
      paramLabel = "N",
      description = {
        "serve the diagnostics and the live page on 127.0.0.1:N only",
        "(0 = any), 404 for them on the listen port (default: config",
        "'diagnostics_port', else on the listen port)"
      })
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void diagnosticsPort(String value) {
    diagnosticsPort = number("--diagnostics-port", value, 0, MAX_PORT);
  }

  @Option(
      names = TLS_FLAG,
      negatable = true,
      order = 6,
      description = {
        "serve HTTPS on the listen port: HTTP/2 by ALPN, else HTTP/1.1,",
        "with --tls-keystore's key, else a self-signed certificate made",
        "at start (default: config 'tls', else off: HTTP/1.1 and h2c)"
      })
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void tls(boolean on) {
    tls = on;
  }

  @Option(
      names = KEYSTORE_FLAG,
      order = 7,
      paramLabel = "PATH",
      description = {
        "PKCS12 or JKS key store for --tls, its first key (default:",
        "config 'tls_keystore', else a self-signed certificate)"
      })
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void tlsKeyStore(String value) {
    if (value.isBlank()) {
      throw new BadValue(spec.commandLine(), KEYSTORE_FLAG + "='" + value + "' is not a path");
    }
    tlsKeyStore = value;
  }

  @Option(
      names = PASSWORD_FLAG,
      order = 8,
      paramLabel = "PW",
      description = {
        "the key store's password, also its key's (default: environment",
        "variable " + DemoTls.PASSWORD_ENV + ", else config",
        "'tls_keystore_password')"
      })
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void tlsKeyStorePassword(String value) {
    tlsKeyStorePassword = value;
  }

  @Option(
      names = "--demo-traffic",
      order = 10,
      paramLabel = "N",
      description = "run N simulated client sessions (0-" + MAX_DEMO_TRAFFIC + ", default 0)")
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void demoTraffic(String value) {
    demoTraffic = number("--demo-traffic", value, 0, MAX_DEMO_TRAFFIC);
  }

  @Option(
      names = "--fake-backend-port",
      order = 11,
      paramLabel = "N",
      description = "port of the built-in fake backend (default: config, else any)")
  @SuppressWarnings("UnusedMethod") // called by picocli
  private void fakeBackendPort(String value) {
    fakeBackendPort = number("--fake-backend-port", value, 0, MAX_PORT);
  }

  private int number(String option, String value, int min, int max) {
    try {
      return ConfigValues.wholeNumber(option, value, min, max);
    } catch (IllegalArgumentException e) {
      throw new BadValue(spec.commandLine(), String.valueOf(e.getMessage()));
    }
  }

  /** A value that is there but wrong: its message names the option and the value already. */
  private static final class BadValue extends CommandLine.ParameterException {
    private static final long serialVersionUID = 1L;

    BadValue(CommandLine commandLine, String message) {
      super(commandLine, message);
    }
  }

  /**
   * Whether {@code --help} was given.
   *
   * @return true to print the usage and stop
   */
  boolean helpRequested() {
    return help;
  }

  /**
   * The tracking flags, in the order given, for {@link Enablement#resolve}.
   *
   * @return {@value Enablement#ENABLE_FLAG} and {@value Enablement#DISABLE_FLAG} as given
   */
  List<String> trackingFlags() {
    return List.copyOf(trackingFlags);
  }

  String host() {
    return host;
  }

  @Nullable Integer port() {
    return port;
  }

  @Nullable Integer diagnosticsPort() {
    return diagnosticsPort;
  }

  @Nullable Integer fakeBackendPort() {
    return fakeBackendPort;
  }

  /** {@code --tls} true, {@code --no-tls} false (the last one wins), or null if neither. */
  @Nullable Boolean tls() {
    return tls;
  }

  @Nullable String tlsKeyStore() {
    return tlsKeyStore;
  }

  @Nullable String tlsKeyStorePassword() {
    return tlsKeyStorePassword;
  }

  int demoTraffic() {
    return demoTraffic;
  }

  @Nullable Path config() {
    return config;
  }
}
