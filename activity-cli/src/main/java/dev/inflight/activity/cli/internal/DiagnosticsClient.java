package dev.inflight.activity.cli.internal;

import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.DiagnosticsFormatException;
import dev.inflight.activity.json.DiagnosticsJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads the {@code /v1/diagnostics} document with the JDK {@code HttpClient}, turning every failure
 * into a {@link FetchException} whose message is one clear line.
 */
final class DiagnosticsClient {

  static final String DIAGNOSTICS_PATH = "/v1/diagnostics";

  private final URI endpoint;
  private final Duration timeout;
  private final HttpClient http;

  DiagnosticsClient(URI endpoint, Duration timeout) {
    this(endpoint, timeout, httpClient(timeout));
  }

  /**
   * A client that shares its {@code HttpClient} (and so its connections and selector thread) with
   * others, as the clients of a fleet do.
   *
   * @param endpoint the diagnostics URL
   * @param timeout how long to wait for an answer
   * @param http made by {@link #httpClient(Duration)}
   */
  DiagnosticsClient(URI endpoint, Duration timeout, HttpClient http) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http = Objects.requireNonNull(http, "http");
  }

  /**
   * An {@code HttpClient} as the diagnostics client needs it: connect timeout, no redirects.
   *
   * @param timeout the connect timeout
   * @return a new client
   */
  static HttpClient httpClient(Duration timeout) {
    return HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Turns what the user typed into the diagnostics URL: a scheme is added if missing, and {@value
   * #DIAGNOSTICS_PATH} is appended unless the path already ends with it.
   *
   * @param text e.g. {@code http://localhost:8000}, {@code localhost:9000}
   * @return the endpoint
   * @throws IllegalArgumentException with a one-line message if it is not an http(s) URL
   */
  static URI endpoint(String text) {
    String s = text.trim();
    if (!s.contains("://")) {
      s = "http://" + s;
    }
    URI uri;
    try {
      uri = new URI(s);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid URL: '" + text + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "not an http(s) URL: '" + text + "' (expected e.g. http://localhost:8000)");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!path.endsWith(DIAGNOSTICS_PATH)) {
      path = path + DIAGNOSTICS_PATH;
    }
    return URI.create(scheme + "://" + uri.getRawAuthority() + path);
  }

  URI endpoint() {
    return endpoint;
  }

  /**
   * Fetches the document's text.
   *
   * @return the body of a 2xx answer
   * @throws FetchException refused, unreachable, timed out, or a non-2xx status
   * @throws InterruptedException if the thread was interrupted (Ctrl+C in watch mode)
   */
  String fetch() throws FetchException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Accept", "application/json")
            .GET()
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw cannotConnect("no answer within " + timeoutText() + " (is the host right?)");
    } catch (HttpTimeoutException e) {
      throw timedOut();
    } catch (ConnectException e) {
      if (hasCause(e, UnresolvedAddressException.class)) {
        throw cannotConnect("unknown host '" + endpoint.getHost() + "'");
      }
      throw cannotConnect("connection refused (is the proxy running?)");
    } catch (IOException e) {
      String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      String reason = "cannot read: " + oneLine(detail);
      throw new FetchException(reason, "cannot read " + endpoint + ": " + oneLine(detail));
    }
    int status = response.statusCode();
    if (status == 403) {
      throw answered(
          "403 Forbidden: diagnostics are served only to the proxy's own host"
              + " (run inspect-activity there, without a forwarding proxy in between)");
    }
    if (status == 404) {
      throw answered(
          "404 Not Found: no diagnostics endpoint there (check the URL and"
              + " port, and that the proxy mounts inflight's diagnostics)");
    }
    if (status < 200 || status > 299) {
      throw answered("HTTP " + status);
    }
    return response.body();
  }

  /**
   * Reads a fetched body as a diagnostics document.
   *
   * @param body what {@link #fetch()} returned
   * @return the document
   * @throws FetchException if it is not a diagnostics JSON document
   */
  DiagnosticsDocument parse(String body) throws FetchException {
    try {
      return DiagnosticsJson.parseDiagnostics(body);
    } catch (DiagnosticsFormatException e) {
      // the parser's own message for malformed JSON quotes the token it choked on, which may be
      // a session id or anything else the body held: an error line says what kind of body it
      // was, never what was in it. The document checks name fields and types only.
      String why =
          e.getCause() != null || e.getMessage() == null
              ? syntaxError(body)
              : oneLine(e.getMessage());
      throw new FetchException(
          "not a diagnostics JSON document (" + why + ")",
          endpoint + " did not return a diagnostics JSON document (" + why + ")");
    }
  }

  /** What kind of body failed to parse as JSON, in words that quote none of it. */
  private static String syntaxError(String body) {
    String text = body.strip();
    if (text.isEmpty()) {
      return "an empty body";
    }
    if (text.startsWith("<")) {
      return "not JSON: it looks like HTML or XML";
    }
    return "not valid JSON";
  }

  /**
   * The failure of a request that got no answer in time.
   *
   * @return the exception to throw
   */
  FetchException timedOut() {
    return new FetchException(
        "no answer within " + timeoutText(), endpoint + " did not answer within " + timeoutText());
  }

  private FetchException cannotConnect(String reason) {
    return new FetchException(reason, "cannot connect to " + endpoint + ": " + reason);
  }

  private FetchException answered(String what) {
    return new FetchException("answered " + what, endpoint + " answered " + what);
  }

  /** The timeout as a short text: {@code 5s}, {@code 0.3s}. */
  String timeoutText() {
    long millis = timeout.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : Format.interval(millis / 1000.0);
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  static String oneLine(String s) {
    String line = s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
