package dev.inflight.activity.prometheus;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds and runs the Prometheus tools that {@code bin/verify} installs (Debian's {@code prometheus}
 * package: {@code promtool} and the {@code prometheus} server). A missing tool fails the test with
 * a message saying how to get it; it never skips.
 */
final class PrometheusTools {

  /** Where Debian's package puts the tools, looked at after the PATH. */
  private static final Path SYSTEM_BIN = Path.of("/usr/bin");

  private PrometheusTools() {}

  /** What a finished command printed (standard output and error together) and its exit code. */
  record Result(int exitCode, String output) {}

  /**
   * Finds a tool on the PATH, then in {@code /usr/bin}.
   *
   * @param name {@code promtool} or {@code prometheus}
   * @return the executable
   */
  static Path find(String name) {
    List<Path> places = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          places.add(Path.of(dir, name));
        }
      }
    }
    places.add(SYSTEM_BIN.resolve(name));
    for (Path p : places) {
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return fail(
        name
            + " was found neither on the PATH nor at "
            + SYSTEM_BIN.resolve(name)
            + ". It comes with Debian's 'prometheus' package: bin/verify installs it when run as"
            + " root, or run: sudo apt-get install prometheus");
  }

  /**
   * The repository's root: the nearest directory above the working directory that holds {@code
   * prometheus/inflight-rules.yml}.
   *
   * @return the root
   */
  static Path repositoryRoot() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("prometheus").resolve("inflight-rules.yml"))) {
        return dir;
      }
    }
    return fail("no prometheus/inflight-rules.yml in " + start + " or above it");
  }

  /**
   * Runs a command to its end, at most for the given time (then it is killed and the test fails).
   *
   * @param timeout the longest the command may take
   * @param command the executable and its arguments
   * @return its exit code and output
   * @throws IOException if it cannot be started or its output read
   * @throws InterruptedException if the test is interrupted
   */
  static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
    Path output = Files.createTempFile("prometheus-tool", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return fail(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + "; output so far:\n"
                + Files.readString(output, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
