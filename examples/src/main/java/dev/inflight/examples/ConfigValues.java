package dev.inflight.examples;

import java.util.Locale;

/**
 * The checks the command line and the config file share, so that a bad number reads the same
 * wherever it came from: {@code --port='http' is not a whole number}, {@code config file
 * config/config.yaml: port=70000 is out of range: use 0 to 65535}.
 */
final class ConfigValues {

  private ConfigValues() {}

  /**
   * Reads a whole number within bounds.
   *
   * @param name the option or key, as the user wrote it (e.g. {@code --port})
   * @param text the value as given
   * @param min the smallest allowed value
   * @param max the largest allowed value
   * @return the number
   * @throws IllegalArgumentException naming {@code name} and the value
   */
  static int wholeNumber(String name, String text, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(notAWholeNumber(name, text), e);
    }
    return inRange(name, n, min, max);
  }

  /**
   * Checks that a number lies within bounds.
   *
   * @param name the option or key, as the user wrote it
   * @param n the number
   * @param min the smallest allowed value
   * @param max the largest allowed value
   * @return {@code n}
   * @throws IllegalArgumentException naming {@code name} and the value when out of bounds
   */
  static int inRange(String name, int n, int min, int max) {
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "%s=%d is out of range: use %d to %d", name, n, min, max));
    }
    return n;
  }

  /**
   * The message for a value that is not a whole number.
   *
   * @param name the option or key
   * @param text the value as given
   * @return e.g. {@code --port='http' is not a whole number}
   */
  static String notAWholeNumber(String name, Object text) {
    return name + "='" + text + "' is not a whole number";
  }
}
