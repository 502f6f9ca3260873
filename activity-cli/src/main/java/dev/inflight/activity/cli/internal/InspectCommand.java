package dev.inflight.activity.cli.internal;

import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.DiagnosticsFormatException;
import dev.inflight.activity.json.DiagnosticsJson;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The picocli command behind {@code inspect-activity}. */
@Command(
    name = "inspect-activity",
    mixinStandardHelpOptions = true,
    versionProvider = InspectCommand.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Shows the connections a proxy holds open to its backends, read from its /v1/diagnostics"
          + " endpoint (served to the proxy's own host only).",
      ""
    },
    footer = {
      "",
      "Exit codes: 0 done (also after Ctrl+C in watch mode), 1 the proxy could not be read,"
          + " 2 bad arguments."
    })
final class InspectCommand implements Callable<Integer> {

  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "URL",
      defaultValue = "http://localhost:8000",
      description = "The proxy's base URL (default: ${DEFAULT-VALUE}).")
  private String url = "http://localhost:8000";

  @Option(
      names = {"-w", "--watch"},
      description = "Redraw the view every interval until Ctrl+C.")
  private boolean watch;

  @Option(
      names = {"-i", "--interval"},
      paramLabel = "SECONDS",
      defaultValue = "1.0",
      description = "Seconds between refreshes in watch mode (default: ${DEFAULT-VALUE}).")
  private double interval = 1.0;

  @Option(names = "--raw", description = "Print the diagnostics JSON as the proxy sent it.")
  private boolean raw;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description = "Give up on a request after this many seconds (default: ${DEFAULT-VALUE}).")
  private double timeout = 5;

  @Spec private CommandSpec spec;

  private final CliEnvironment env;

  InspectCommand(CliEnvironment env) {
    this.env = env;
    this.spec = CommandSpec.create();
  }

  @Override
  public Integer call() {
    if (!(interval >= 0.05) || interval > 86_400) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--interval must be between 0.05 and 86400 seconds, got " + interval);
    }
    if (!(timeout >= 0.01) || timeout > 3_600) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--timeout must be between 0.01 and 3600 seconds, got " + timeout);
    }
    URI endpoint;
    try {
      endpoint = DiagnosticsClient.endpoint(url);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    DiagnosticsClient client =
        new DiagnosticsClient(endpoint, Duration.ofMillis(Math.round(timeout * 1000)));
    FrameRenderer renderer = new FrameRenderer(env.box(), env.zone());
    return watch ? watch(client, renderer) : once(client, renderer);
  }

  private int once(DiagnosticsClient client, FrameRenderer renderer) {
    PrintStream out = env.out();
    try {
      String body = client.fetch();
      DiagnosticsDocument doc = parse(client, body);
      if (raw) {
        out.print(body);
        if (!body.endsWith("\n")) {
          out.println();
        }
      } else {
        for (String line : renderer.render(doc)) {
          out.println(line);
        }
      }
      out.flush();
      return EXIT_OK;
    } catch (FetchException e) {
      env.err().println("inspect-activity: " + e.getMessage());
      return EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return EXIT_OK;
    }
  }

  private int watch(DiagnosticsClient client, FrameRenderer renderer) {
    Duration pause = Duration.ofMillis(Math.round(interval * 1000));
    String footer = "Refreshing every " + Format.interval(interval) + "... (Ctrl+C to stop)";
    WatchLoop.Frames frames =
        () -> {
          List<String> frame = new ArrayList<>();
          try {
            String body = client.fetch();
            DiagnosticsDocument doc = parse(client, body);
            if (raw) {
              frame.addAll(body.strip().lines().toList());
            } else {
              frame.addAll(renderer.render(doc));
            }
          } catch (FetchException e) {
            frame.addAll(
                renderer.renderError(String.valueOf(e.getMessage()), env.now().getAsDouble()));
          }
          frame.add("");
          frame.add(footer);
          return frame;
        };
    WatchLoop loop =
        new WatchLoop(frames, env.out(), env.ansi(), pause, env.pacer(), env.maxFrames());
    env.stopHook().accept(loop::stop);
    return loop.run();
  }

  private static DiagnosticsDocument parse(DiagnosticsClient client, String body)
      throws FetchException {
    try {
      return DiagnosticsJson.parseDiagnostics(body);
    } catch (DiagnosticsFormatException e) {
      String why = e.getMessage() == null ? "unreadable JSON" : e.getMessage();
      throw new FetchException(
          client.endpoint()
              + " did not return a diagnostics JSON document ("
              + DiagnosticsClient.oneLine(why)
              + ")");
    }
  }

  /** Reads the version the build wrote into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws Exception {
      Properties p = new Properties();
      try (InputStream in =
          InspectCommand.class.getResourceAsStream(
              "/dev/inflight/activity/cli/version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"inspect-activity " + p.getProperty("version", "unknown")};
    }
  }
}
