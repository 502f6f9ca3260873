package dev.inflight.activity.cli.internal;

import dev.inflight.activity.json.DiagnosticsDocument;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
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
      "Exit codes: 0 done (also after Ctrl+C in watch mode), 1 the proxy could not be read (with"
          + " several URLs: none of them could), 2 bad arguments."
    })
final class InspectCommand implements Callable<Integer> {

  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  static final String DEFAULT_URL = "http://localhost:8000";

  @Parameters(
      arity = "0..*",
      paramLabel = "URL",
      description =
          "The proxy's base URL (default: "
              + DEFAULT_URL
              + "). Several URLs show a fleet: one line per proxy, the fleet's total, and every"
              + " proxy's connections in one table.")
  private List<String> urls = new ArrayList<>();

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

  @Option(
      names = "--raw",
      description =
          "Print the diagnostics JSON as the proxy sent it (several URLs: one object keyed by"
              + " URL).")
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
    Duration timeoutDuration = Duration.ofMillis(Math.round(timeout * 1000));
    FrameRenderer renderer = new FrameRenderer(env.box(), env.zone());
    List<String> given = urls.isEmpty() ? List.of(DEFAULT_URL) : urls;
    if (given.size() == 1) {
      DiagnosticsClient client = new DiagnosticsClient(endpoint(given.get(0)), timeoutDuration);
      return watch ? watch(client, renderer) : once(client, renderer);
    }
    try (Fleet fleet = fleet(given, timeoutDuration)) {
      return watch ? watchFleet(fleet, renderer) : onceFleet(fleet, renderer);
    }
  }

  private URI endpoint(String url) {
    try {
      return DiagnosticsClient.endpoint(url);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /**
   * The proxies, labelled by host and port (plus the path when it is not just the diagnostics
   * endpoint); when two labels would be the same, the URLs as given are shown instead.
   */
  private Fleet fleet(List<String> given, Duration timeoutDuration) {
    List<URI> endpoints = new ArrayList<>(given.size());
    for (String url : given) {
      URI endpoint = endpoint(url);
      if (endpoints.contains(endpoint)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "the same proxy is given twice: " + endpoint);
      }
      endpoints.add(endpoint);
    }
    List<String> labels = new ArrayList<>(given.size());
    for (URI endpoint : endpoints) {
      String path = endpoint.getRawPath();
      labels.add(
          endpoint.getRawAuthority()
              + path.substring(0, path.length() - DiagnosticsClient.DIAGNOSTICS_PATH.length()));
    }
    boolean unique = new HashSet<>(labels).size() == labels.size();
    HttpClient http = DiagnosticsClient.httpClient(timeoutDuration);
    List<Fleet.Proxy> proxies = new ArrayList<>(given.size());
    for (int i = 0; i < given.size(); i++) {
      String url = given.get(i).trim();
      proxies.add(
          new Fleet.Proxy(
              url,
              unique ? labels.get(i) : url,
              new DiagnosticsClient(endpoints.get(i), timeoutDuration, http)));
    }
    return new Fleet(proxies, timeoutDuration, Fleet.MAX_THREADS);
  }

  private int once(DiagnosticsClient client, FrameRenderer renderer) {
    PrintStream out = env.out();
    try {
      String body = client.fetch();
      DiagnosticsDocument doc = client.parse(body);
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
            DiagnosticsDocument doc = client.parse(body);
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

  /**
   * One look at every proxy. Succeeds when at least one proxy could be read; when none could, the
   * outcome is that of a single proxy that could not be read: one line each on standard error and
   * nothing on standard output.
   */
  private int onceFleet(Fleet fleet, FrameRenderer renderer) {
    List<Fleet.Reading> readings;
    try {
      readings = fleet.readAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return EXIT_OK;
    }
    if (raw) {
      readings = RawFleet.checked(readings);
    }
    if (readings.stream().allMatch(r -> r.doc() == null)) {
      for (Fleet.Reading r : readings) {
        FetchException error = r.error();
        env.err()
            .println("inspect-activity: " + (error == null ? "no answer" : error.getMessage()));
      }
      return EXIT_FAILED;
    }
    PrintStream out = env.out();
    List<String> lines =
        raw ? RawFleet.render(readings) : renderer.renderFleet(readings, env.now().getAsDouble());
    for (String line : lines) {
      out.println(line);
    }
    out.flush();
    return EXIT_OK;
  }

  private int watchFleet(Fleet fleet, FrameRenderer renderer) {
    Duration pause = Duration.ofMillis(Math.round(interval * 1000));
    String footer = "Refreshing every " + Format.interval(interval) + "... (Ctrl+C to stop)";
    WatchLoop.Frames frames =
        () -> {
          List<Fleet.Reading> readings = fleet.readAll();
          List<String> frame =
              new ArrayList<>(
                  raw
                      ? RawFleet.render(RawFleet.checked(readings))
                      : renderer.renderFleet(readings, env.now().getAsDouble()));
          frame.add("");
          frame.add(footer);
          return frame;
        };
    WatchLoop loop =
        new WatchLoop(frames, env.out(), env.ansi(), pause, env.pacer(), env.maxFrames());
    env.stopHook().accept(loop::stop);
    return loop.run();
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
