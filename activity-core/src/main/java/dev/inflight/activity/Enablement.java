package dev.inflight.activity;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Whether tracking is on, and which source said so. Resolved with the precedence CLI flag &gt;
 * environment variable &gt; config file &gt; default (off).
 *
 * <pre>{@code
 * Enablement e = Enablement.resolve(List.of(args), System.getenv(), configValues);
 * ActivityTracker tracker = ActivityTracker.create(
 *     ActivitySettings.builder().enabled(e.enabled()).build());
 * }</pre>
 *
 * <p>Reading the config file is the caller's job (core has no YAML parser): pass its top-level
 * values as a map.
 *
 * @param enabled the resolved flag
 * @param source where it came from
 */
public record Enablement(boolean enabled, Source source) {

  /** The flag that turns tracking on. */
  public static final String ENABLE_FLAG = "--enable-activity-tracking";

  /** The flag that turns tracking off. */
  public static final String DISABLE_FLAG = "--disable-activity-tracking";

  /** The environment variable. */
  public static final String ENV_VAR = "ENABLE_ACTIVITY_TRACKING";

  /** The config file key. */
  public static final String CONFIG_KEY = "enable_activity_tracking";

  /** Where a resolved value came from. */
  public enum Source {
    /** {@value #ENABLE_FLAG} or {@value #DISABLE_FLAG} on the command line. */
    CLI_FLAG,
    /** The {@value #ENV_VAR} environment variable. */
    ENVIRONMENT,
    /** The {@value #CONFIG_KEY} key of the config file. */
    CONFIG_FILE,
    /** Nothing said anything: off. */
    DEFAULT
  }

  /**
   * Checks for null.
   *
   * @param enabled the resolved flag
   * @param source where it came from
   */
  public Enablement {
    Objects.requireNonNull(source, "source");
  }

  /**
   * Resolves the flag. On the command line the last of {@value #ENABLE_FLAG} and {@value
   * #DISABLE_FLAG} wins; other arguments are ignored. A blank environment variable counts as unset.
   *
   * @param args command-line arguments
   * @param env environment variables, e.g. {@link System#getenv()}
   * @param config the config file's top-level values; a Boolean or a String for the key
   * @return the resolved flag and its source
   * @throws IllegalArgumentException naming the source and value when a value is not a boolean
   */
  public static Enablement resolve(
      List<String> args, Map<String, String> env, Map<String, ?> config) {
    Boolean fromArgs = null;
    for (String arg : args) {
      if (ENABLE_FLAG.equals(arg)) {
        fromArgs = Boolean.TRUE;
      } else if (DISABLE_FLAG.equals(arg)) {
        fromArgs = Boolean.FALSE;
      }
    }
    if (fromArgs != null) {
      return new Enablement(fromArgs, Source.CLI_FLAG);
    }
    String fromEnv = env.get(ENV_VAR);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new Enablement(
          parseBoolean(fromEnv, "environment variable " + ENV_VAR), Source.ENVIRONMENT);
    }
    Object fromConfig = config.get(CONFIG_KEY);
    if (fromConfig != null) {
      boolean value;
      if (fromConfig instanceof Boolean b) {
        value = b;
      } else if (fromConfig instanceof String s) {
        value = parseBoolean(s, "config file key " + CONFIG_KEY);
      } else {
        throw new IllegalArgumentException(
            "config file key " + CONFIG_KEY + " must be true or false, got '" + fromConfig + "'");
      }
      return new Enablement(value, Source.CONFIG_FILE);
    }
    return new Enablement(false, Source.DEFAULT);
  }

  /**
   * Parses a boolean the way the environment variable is read: {@code 1/true/yes/on} and {@code
   * 0/false/no/off}, case-insensitive, surrounding blanks ignored.
   *
   * @param value the text
   * @param source where it came from, for the error message
   * @return the value
   * @throws IllegalArgumentException naming the source and the value for anything else
   */
  public static boolean parseBoolean(@Nullable String value, String source) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default ->
          throw new IllegalArgumentException(
              source + "='" + value + "' is not a boolean: use 1/true/yes/on or 0/false/no/off");
    };
  }
}
