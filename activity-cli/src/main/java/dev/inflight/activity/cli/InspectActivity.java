package dev.inflight.activity.cli;

import dev.inflight.activity.cli.internal.Cli;
import java.io.PrintStream;

/**
 * {@code inspect-activity}: shows the connections a proxy holds open to its backends, read from the
 * proxy's {@code /v1/diagnostics} endpoint.
 *
 * <pre>
 * inspect-activity                          # one-shot table, http://localhost:8000
 * inspect-activity --watch --interval 2     # redraw every 2 s until Ctrl+C
 * inspect-activity --raw http://localhost:9000
 * inspect-activity --watch http://10.0.0.1:8000 http://10.0.0.2:8000   # a fleet, in one view
 * </pre>
 *
 * <p>Exit codes: 0 done (also after Ctrl+C in watch mode), 1 the proxy could not be read (refused,
 * timed out, 403, 404, not a diagnostics document; with several URLs: none of them could), 2 bad
 * arguments. Errors are one line on standard error; in a fleet's view, a proxy that cannot be read
 * is shown as unreachable with why, beside the others.
 */
public final class InspectActivity {

  private InspectActivity() {}

  /**
   * Runs the command and exits the JVM with its exit code.
   *
   * @param args command-line arguments; {@code --help} lists them
   */
  public static void main(String[] args) {
    System.exit(Cli.runMain(args));
  }

  /**
   * Runs the command in this JVM with plain output (no escape codes, no signal handling) and
   * returns its exit code instead of exiting.
   *
   * @param args command-line arguments
   * @param out where the view goes
   * @param err where errors go
   * @return the exit code
   */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    return Cli.runPlain(args, out, err);
  }
}
