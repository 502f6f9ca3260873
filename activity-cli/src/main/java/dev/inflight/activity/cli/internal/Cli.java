package dev.inflight.activity.cli.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import picocli.CommandLine;

/** Runs the command; the bridge between the public entry point and picocli. */
public final class Cli {

  private Cli() {}

  /**
   * Runs {@code inspect-activity} with the process's terminal: escape codes and box drawing when
   * stdout is a console that can show them, Ctrl+C (SIGINT/SIGTERM) ends watch mode with exit code
   * 0.
   *
   * @param args command-line arguments
   * @return the exit code
   */
  public static int runMain(String[] args) {
    Charset charset = stdoutCharset();
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, charset);
    boolean terminal = isTerminal() && !"dumb".equals(System.getenv("TERM"));
    FrameRenderer.Box box =
        charset.newEncoder().canEncode("┌─┐│")
            ? FrameRenderer.Box.UNICODE
            : FrameRenderer.Box.ASCII;
    CliEnvironment env =
        new CliEnvironment(
            out,
            System.err,
            terminal,
            box,
            ZoneId.systemDefault(),
            CliEnvironment.systemClock(),
            null,
            Long.MAX_VALUE,
            Signals::onInterrupt);
    try {
      return run(args, env);
    } finally {
      out.flush();
    }
  }

  /**
   * Runs the command with plain output: no escape codes, no signal handlers.
   *
   * @param args command-line arguments
   * @param out standard output
   * @param err standard error
   * @return the exit code
   */
  public static int runPlain(String[] args, PrintStream out, PrintStream err) {
    return run(
        args,
        new CliEnvironment(
            out,
            err,
            false,
            FrameRenderer.Box.UNICODE,
            ZoneId.systemDefault(),
            CliEnvironment.systemClock(),
            null,
            Long.MAX_VALUE,
            stop -> {}));
  }

  static int run(String[] args, CliEnvironment env) {
    CommandLine cl = new CommandLine(new InspectCommand(env));
    cl.setOut(new PrintWriter(new OutputStreamWriter(env.out(), Charset.defaultCharset()), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(env.err(), Charset.defaultCharset()), true));
    cl.setParameterExceptionHandler(
        (e, arguments) -> {
          env.err()
              .println(
                  "inspect-activity: " + DiagnosticsClient.oneLine(String.valueOf(e.getMessage())));
          env.err().println("Try 'inspect-activity --help' for more information.");
          return InspectCommand.EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          // Never a stack trace: one line, and a failure exit code.
          String msg = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
          env.err()
              .println("inspect-activity: unexpected error: " + DiagnosticsClient.oneLine(msg));
          return InspectCommand.EXIT_FAILED;
        });
    return cl.execute(args);
  }

  /**
   * Whether standard output is a terminal. From Java 22 on, {@code System.console()} is never null,
   * so its {@code isTerminal()} (looked up by reflection: this code targets Java 17) decides.
   */
  @SuppressWarnings("SystemConsoleNull") // handled: isTerminal() is asked where it exists
  private static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = java.io.Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // before Java 22 a console exists only for a terminal
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  private static Charset stdoutCharset() {
    for (String key : new String[] {"stdout.encoding", "sun.stdout.encoding", "native.encoding"}) {
      String name = System.getProperty(key);
      if (name != null) {
        try {
          return Charset.forName(name);
        } catch (RuntimeException e) {
          // unknown name: try the next source
        }
      }
    }
    return Charset.defaultCharset() == null ? StandardCharsets.UTF_8 : Charset.defaultCharset();
  }

  /**
   * Ctrl+C handling without the JVM's default "exit 130": {@code sun.misc.Signal}, reached
   * reflectively (it lives in {@code jdk.unsupported}); if it is missing or the signal is ignored,
   * the JVM's default behaviour stays.
   */
  static final class Signals {
    private Signals() {}

    static void onInterrupt(Runnable stop) {
      try {
        Class<?> signalType = Class.forName("sun.misc.Signal");
        Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
        Object handler =
            Proxy.newProxyInstance(
                Cli.class.getClassLoader(),
                new Class<?>[] {handlerType},
                (proxy, method, methodArgs) -> {
                  switch (method.getName()) {
                    case "handle":
                      stop.run();
                      return null;
                    case "hashCode":
                      return System.identityHashCode(proxy);
                    case "equals":
                      return proxy == methodArgs[0];
                    default:
                      return "inspect-activity signal handler";
                  }
                });
        Method handle = signalType.getMethod("handle", signalType, handlerType);
        for (String name : new String[] {"INT", "TERM"}) {
          try {
            handle.invoke(null, signalType.getConstructor(String.class).newInstance(name), handler);
          } catch (ReflectiveOperationException | RuntimeException e) {
            // this signal is ignored or reserved here: keep the default
          }
        }
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        // no sun.misc.Signal: keep the default
      }
    }
  }
}
