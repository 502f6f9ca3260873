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
 * @param diagnosticsPort the port of the diagnostics listener on 127.0.0.1 (0 = any free port), or
 *     null to serve the diagnostics on the listen port
 * @param tls the key and certificate to serve HTTPS and HTTP/2 with, or null for plain HTTP/1.1 and
 *     h2c
 * @param demoTraffic how many simulated sessions to run (0 = none)
 * @param config the config
 * @param enablement whether tracking is on, and which source said so
 * @param settings the tracker settings
 */
record DemoSetup(
    String host,
    int port,
    @Nullable Integer diagnosticsPort,
    @Nullable DemoTls tls,
    int demoTraffic,
    DemoConfig config,
    Enablement enablement,
    ActivitySettings settings) {

  static final int DEFAULT_PORT = 8000;
  static final Path DEFAULT_CONFIG = Path.of("config", "config.yaml");

  DemoSetup {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(enablement, "enablement");
    Objects.requireNonNull(settings, "settings");
  }

  /**
   * Parses the command line and resolves the demo's setup.
   *
   * @param args command-line arguments (without {@code --help})
   * @param env environment variables
   * @param workDir where {@code config/config.yaml} is looked for
   * @return the setup
   * @throws DemoException one line naming the bad argument, variable or config value
   */
  static DemoSetup resolve(List<String> args, Map<String, String> env, Path workDir)
      throws DemoException {
    return resolve(DemoOptions.parse(args), env, workDir);
  }

  /**
   * Resolves the demo's setup: reads the config file, then applies core's precedence for the
   * tracking flag and the options that override the file.
   *
   * @param options the parsed command line
   * @param env environment variables
   * @param workDir where {@code config/config.yaml} is looked for
   * @return the setup
   * @throws DemoException one line naming the bad variable or config value
   */
  static DemoSetup resolve(DemoOptions options, Map<String, String> env, Path workDir)
      throws DemoException {
    Path configPath = options.config();
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
      enablement = Enablement.resolve(options.trackingFlags(), env, config.enablementValues());
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
          ActivitySettings.fromValues(config.activityValues(), config.label()).toBuilder()
              .enabled(enablement.enabled())
              .build();
    } catch (IllegalArgumentException e) {
      throw new DemoException(String.valueOf(e.getMessage()));
    }
    Integer port = options.port();
    Integer configPort = config.port();
    int resolvedPort = port != null ? port : configPort != null ? configPort : DEFAULT_PORT;
    Integer diagnosticsPort = options.diagnosticsPort();
    String diagnosticsSource = "--diagnostics-port";
    if (diagnosticsPort == null) {
      diagnosticsPort = config.diagnosticsPort();
      diagnosticsSource = config.label() + ": diagnostics_port";
    }
    if (diagnosticsPort != null && diagnosticsPort != 0 && diagnosticsPort == resolvedPort) {
      throw new DemoException(
          diagnosticsSource
              + "="
              + diagnosticsPort
              + " is the listen port: the diagnostics need a port of their own");
    }
    DemoTls tls = tls(options, env, workDir, config);
    Integer fakePort = options.fakeBackendPort();
    if (fakePort != null) {
      config = config.withFakeBackendPort(fakePort);
    }
    return new DemoSetup(
        options.host(),
        resolvedPort,
        diagnosticsPort,
        tls,
        options.demoTraffic(),
        config,
        enablement,
        settings);
  }

  /**
   * TLS, highest first: {@code --tls} / {@code --no-tls}, then the config's {@code tls}. The key
   * store: {@code --tls-keystore}, else the config's {@code tls_keystore}, else a self-signed
   * certificate made now. Its password: {@code --tls-keystore-password}, then {@value
   * DemoTls#PASSWORD_ENV}, then the config's {@code tls_keystore_password}.
   */
  private static @Nullable DemoTls tls(
      DemoOptions options, Map<String, String> env, Path workDir, DemoConfig config)
      throws DemoException {
    String label = config.label();
    Boolean flag = options.tls();
    Boolean fromConfig = config.tls().enabled();
    boolean on = flag != null ? flag : fromConfig != null && fromConfig;

    String flagStore = options.tlsKeyStore();
    Path configStore = config.tlsKeyStorePath();
    String flagPassword = options.tlsKeyStorePassword();
    String envPassword = env.get(DemoTls.PASSWORD_ENV);
    String configPassword = config.tls().keyStorePassword();

    String needsTls = " needs TLS: add " + DemoOptions.TLS_FLAG + " or 'tls: true' in the config";
    if (flagStore != null && !on) {
      throw new DemoException(quoted(DemoOptions.KEYSTORE_FLAG, flagStore) + needsTls);
    }
    if (flagPassword != null && flagStore == null && configStore == null) {
      throw new DemoException(
          DemoOptions.PASSWORD_FLAG
              + " is given without a key store: add "
              + DemoOptions.KEYSTORE_FLAG);
    }
    if (configPassword != null && flagStore == null && configStore == null) {
      throw new DemoException(label + ": tls_keystore_password is given without tls_keystore");
    }
    if (!on) {
      // --no-tls overrides the config's key store; without that flag the key store is a mistake
      if (configStore != null && flag == null) {
        throw new DemoException(
            label + ": " + quoted("tls_keystore", config.tls().keyStore()) + needsTls);
      }
      return null;
    }
    if (flagStore == null && configStore == null) {
      return DemoTls.selfSigned();
    }
    Path file = flagStore != null ? workDir.resolve(flagStore) : configStore;
    String fileSource =
        flagStore != null
            ? quoted(DemoOptions.KEYSTORE_FLAG, flagStore)
            : label + ": " + quoted("tls_keystore", config.tls().keyStore());
    String password;
    String passwordSource;
    if (flagPassword != null) {
      password = flagPassword;
      passwordSource = DemoOptions.PASSWORD_FLAG;
    } else if (envPassword != null && !envPassword.isEmpty()) {
      password = envPassword;
      passwordSource = "environment variable " + DemoTls.PASSWORD_ENV;
    } else if (configPassword != null) {
      password = configPassword;
      passwordSource = label + ": tls_keystore_password";
    } else {
      throw new DemoException(
          fileSource
              + " needs its password: "
              + DemoOptions.PASSWORD_FLAG
              + ", environment variable "
              + DemoTls.PASSWORD_ENV
              + " or tls_keystore_password in the config");
    }
    return DemoTls.load(Objects.requireNonNull(file), fileSource, password, passwordSource);
  }

  private static String quoted(String name, @Nullable String value) {
    return name + "='" + value + "'";
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
    return new DemoSetup(
        host,
        newPort,
        diagnosticsPort,
        tls,
        newTraffic,
        config.withTokenDelay(tokenDelayMillis),
        enablement,
        settings);
  }

  /** For tests: the same setup with the tracker's sweeper off. */
  DemoSetup withoutSweeper() {
    return new DemoSetup(
        host,
        port,
        diagnosticsPort,
        tls,
        demoTraffic,
        config,
        enablement,
        settings.toBuilder().sweepInterval(Duration.ZERO).build());
  }
}
