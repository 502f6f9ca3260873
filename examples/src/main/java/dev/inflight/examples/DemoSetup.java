package dev.inflight.examples;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.Enablement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything the demo resolved before starting: its options, its config, and whether activity
 * tracking is on (command-line flag &gt; {@code ENABLE_ACTIVITY_TRACKING} &gt; config file, by
 * core's {@link Enablement}).
 *
 * @param host the address to listen on
 * @param port the port to listen on (0 = any free port)
 * @param demoTraffic how many simulated sessions to run (0 = none)
 * @param config the config
 * @param enablement whether tracking is on, and which source said so
 * @param settings the tracker settings
 * @param help whether {@code --help} was asked for
 */
record DemoSetup(
    String host,
    int port,
    int demoTraffic,
    DemoConfig config,
    Enablement enablement,
    ActivitySettings settings,
    boolean help) {

  static final int DEFAULT_PORT = 8000;
  static final int MAX_DEMO_TRAFFIC = 64;
  static final Path DEFAULT_CONFIG = Path.of("config", "config.yaml");

  @SuppressWarnings("StringConcatToTextBlock") // one line per option, aligned as printed
  static final String USAGE =
      String.join(
          "\n",
          "Usage: inflight-demo [options]",
          "A demo LLM proxy (OpenAI-compatible POST /v1/chat/completions) with inflight's",
          "activity tracking: GET /v1/diagnostics and /v1/diagnostics/activity.",
          "",
          "  --enable-activity-tracking   turn tracking on (beats ENABLE_ACTIVITY_TRACKING and the config)",
          "  --disable-activity-tracking  turn tracking off",
          "  --port N                     listen port (default: config 'port', else 8000; 0 = any)",
          "  --host ADDRESS               listen address (default 127.0.0.1)",
          "  --config PATH                config file (default config/config.yaml, else built-in)",
          "  --demo-traffic N             run N simulated client sessions (0-64, default 0)",
          "  --fake-backend-port N        port of the built-in fake backend (default: config, else any)",
          "  --help                       show this help",
          "");

  DemoSetup {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(enablement, "enablement");
    Objects.requireNonNull(settings, "settings");
  }

  /**
   * Resolves the demo's setup.
   *
   * @param args command-line arguments
   * @param env environment variables
   * @param workDir where {@code config/config.yaml} is looked for
   * @return the setup
   * @throws DemoException one line naming the bad argument, variable or config value
   */
  static DemoSetup resolve(List<String> args, Map<String, String> env, Path workDir)
      throws DemoException {
    String host = "127.0.0.1";
    Integer port = null;
    Integer fakePort = null;
    int traffic = 0;
    Path configPath = null;
    boolean help = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      switch (name) {
        case Enablement.ENABLE_FLAG:
        case Enablement.DISABLE_FLAG:
          if (value != null) {
            throw new DemoException(name + " takes no value (got '" + arg + "')");
          }
          break; // read by Enablement.resolve below
        case "--help":
        case "-h":
          help = true;
          break;
        case "--port":
          port = number(name, value != null ? value : next(args, ++i, name), 0, 65535);
          break;
        case "--fake-backend-port":
          fakePort = number(name, value != null ? value : next(args, ++i, name), 0, 65535);
          break;
        case "--demo-traffic":
          traffic =
              number(name, value != null ? value : next(args, ++i, name), 0, MAX_DEMO_TRAFFIC);
          break;
        case "--host":
          host = value != null ? value : next(args, ++i, name);
          if (host.isBlank()) {
            throw new DemoException("--host needs an address");
          }
          break;
        case "--config":
          configPath = Path.of(value != null ? value : next(args, ++i, name));
          break;
        default:
          throw new DemoException("unknown option '" + arg + "' (see --help)");
      }
    }
    DemoConfig config;
    if (configPath != null) {
      config = DemoConfig.load(configPath);
    } else if (Files.isRegularFile(workDir.resolve(DEFAULT_CONFIG))) {
      config = DemoConfig.load(workDir.resolve(DEFAULT_CONFIG));
    } else {
      config = DemoConfig.builtIn();
    }
    Enablement enablement;
    try {
      enablement = Enablement.resolve(args, env, config.values());
    } catch (IllegalArgumentException e) {
      String where =
          e.getMessage() != null && e.getMessage().startsWith("config file")
              ? " (in " + config.source() + ")"
              : "";
      throw new DemoException(e.getMessage() + where);
    }
    ActivitySettings settings;
    try {
      settings =
          ActivitySettings.fromValues(config.activityValues(), config.source()).toBuilder()
              .enabled(enablement.enabled())
              .build();
    } catch (IllegalArgumentException e) {
      throw new DemoException(String.valueOf(e.getMessage()));
    }
    int resolvedPort = port != null ? port : config.port() != null ? config.port() : DEFAULT_PORT;
    DemoConfig withFakePort =
        fakePort == null
            ? config
            : new DemoConfig(
                config.source(),
                config.values(),
                config.port(),
                fakePort,
                config.tokenDelayMillis(),
                config.backends());
    return new DemoSetup(host, resolvedPort, traffic, withFakePort, enablement, settings, help);
  }

  /** Describes where the tracking decision came from, for the start-up banner. */
  String enablementSource() {
    switch (enablement.source()) {
      case CLI_FLAG:
        return "command-line flag";
      case ENVIRONMENT:
        return "environment variable " + Enablement.ENV_VAR;
      case CONFIG_FILE:
        return Enablement.CONFIG_KEY + " in " + config.source();
      default:
        return "default";
    }
  }

  /** For tests: the same setup with another port, traffic and token delay. */
  DemoSetup with(int newPort, int newTraffic, int tokenDelayMillis) {
    DemoConfig c =
        new DemoConfig(
            config.source(),
            config.values(),
            config.port(),
            config.fakeBackendPort(),
            tokenDelayMillis,
            config.backends());
    return new DemoSetup(host, newPort, newTraffic, c, enablement, settings, help);
  }

  /** For tests: the same setup with the tracker's sweeper off. */
  DemoSetup withoutSweeper() {
    return new DemoSetup(
        host,
        port,
        demoTraffic,
        config,
        enablement,
        settings.toBuilder().sweepInterval(Duration.ZERO).build(),
        help);
  }

  private static String next(List<String> args, int i, String name) throws DemoException {
    if (i >= args.size()) {
      throw new DemoException(name + " needs a value");
    }
    return args.get(i);
  }

  private static int number(String name, @Nullable String text, int min, int max)
      throws DemoException {
    int n;
    try {
      n = Integer.parseInt(Objects.requireNonNull(text).trim());
    } catch (NumberFormatException e) {
      throw new DemoException(name + " must be a whole number, got '" + text + "'");
    }
    if (n < min || n > max) {
      throw new DemoException(name + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }
}
