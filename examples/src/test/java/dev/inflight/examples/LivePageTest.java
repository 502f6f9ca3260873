package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Response;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.FakeClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page in headless Debian Chromium (driven by Playwright, which downloads no browser),
 * against the demo proxy started in-process on a free loopback port with tracking on and simulated
 * traffic. One browser for the class; each test gets a fresh context and page. Every run saves
 * screenshots under {@code target/live-page/}.
 */
class LivePageTest {

  /** Debian's chromium; {@code bin/verify} installs it. */
  static final Path CHROMIUM =
      Path.of(System.getProperty("inflight.chromium", "/usr/bin/chromium"));

  /** What Chromium needs on these machines: no sandbox, no GPU, and no network beyond loopback. */
  static final List<String> CHROMIUM_FLAGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync");

  static final Duration WAIT = Duration.ofSeconds(20);
  static final Path SCREENSHOTS = Path.of("target", "live-page");
  static final String UI = "/v1/diagnostics/ui";

  @TempDir static Path dir;
  private static DemoProxy demo;
  private static Playwright playwright;
  private static Browser browser;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private BrowserContext context;
  private Page page;
  private String testName;

  @BeforeAll
  static void startDemoAndBrowser() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM))
        .as(
            "the browser tests need Debian's chromium at %s; bin/verify installs it"
                + " (as root: apt-get install chromium)",
            CHROMIUM)
        .isTrue();
    Files.createDirectories(SCREENSHOTS);
    demo = DemoProxyTest.startDemo(dir, 15, 3, "--enable-activity-tracking");
    playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    // Playwright's launch() gives the browser a fresh temporary profile (--user-data-dir) itself.
    browser =
        playwright
            .chromium()
            .launch(
                new BrowserType.LaunchOptions()
                    .setExecutablePath(CHROMIUM)
                    .setHeadless(true)
                    .setArgs(CHROMIUM_FLAGS)
                    .setTimeout((double) WAIT.toMillis()));
  }

  @AfterAll
  static void stopBrowserAndDemo() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (demo != null) {
      demo.close();
    }
  }

  @BeforeEach
  void openPage(TestInfo info) {
    testName = info.getTestMethod().orElseThrow().getName();
    context =
        browser.newContext(
            new Browser.NewContextOptions().setViewportSize(1280, 900).setLocale("en-US"));
    context.setDefaultTimeout((double) WAIT.toMillis());
    page = context.newPage();
    // Console errors, uncaught exceptions and CSP violations are all failures of the page.
    page.onConsoleMessage(
        m -> {
          if ("error".equals(m.type()) || "warning".equals(m.type())) {
            problems.add("console " + m.type() + ": " + m.text());
          }
        });
    page.onPageError(e -> problems.add("page error: " + e));
    page.addInitScript(
        "window.__cspViolations = [];"
            + "document.addEventListener('securitypolicyviolation', e =>"
            + " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));");
  }

  @AfterEach
  void closePage() throws Exception {
    try {
      if (!page.isClosed()) {
        page.screenshot(
            new Page.ScreenshotOptions()
                .setPath(SCREENSHOTS.resolve(testName + ".png"))
                .setFullPage(true));
      }
    } finally {
      context.close();
      for (AutoCloseable c : closeAfter) {
        c.close();
      }
    }
  }

  private static String url(DemoProxy proxy) {
    return proxy.localUri().resolve(UI).toString();
  }

  private Locator row(String table, String session) {
    return page.locator("#" + table + "-body tr[data-session=\"" + session + "\"]");
  }

  /** Polls the page (on this thread: Playwright is single-threaded) until the condition holds. */
  private int diagnosticsInstances() {
    try {
      return DemoProxyTest.diagnostics(http, demo).instances().size();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void until(String what, java.util.function.BooleanSupplier condition) {
    Await.until(what, WAIT, condition);
  }

  private long rxShown(String session) {
    Locator cell = row("rows", session).locator("td.rx-bytes");
    if (cell.count() == 0) {
      return -1;
    }
    return Long.parseLong(cell.getAttribute("data-value"));
  }

  private List<Object> cspViolations() {
    @SuppressWarnings("unchecked")
    List<Object> v = (List<Object>) page.evaluate("() => window.__cspViolations");
    return v;
  }

  private void assertNoProblems() {
    assertThat(problems).as("console errors and page errors").isEmpty();
    assertThat(cspViolations()).as("CSP violations").isEmpty();
  }

  /** A streaming completion for {@code session}, read to its end on another thread. */
  private CompletableFuture<HttpResponse<InputStream>> stream(String session, int tokens) {
    HttpRequest request =
        HttpRequest.newBuilder(demo.localUri().resolve("/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
            .POST(HttpRequest.BodyPublishers.ofString(DemoProxyTest.chat("gpt-4", true, tokens)))
            .build();
    CompletableFuture<HttpResponse<InputStream>> r =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    r.thenAcceptAsync(
        resp -> {
          try (InputStream in = resp.body()) {
            in.transferTo(OutputStream.nullOutputStream());
          } catch (IOException e) {
            // the demo is closing
          }
        });
    return r;
  }

  @Test
  void showsTheSummaryAndRowsWhoseBytesGrowWhileAStreamRuns() {
    stream("page-stream", 400); // 400 tokens, 15 ms apart: about six seconds of streaming
    page.navigate(url(demo));

    until("the row of the stream shows", () -> rxShown("page-stream") > 0);
    long first = rxShown("page-stream");
    until("the row's RX grows on a later refresh", () -> rxShown("page-stream") > first);

    assertThat(row("rows", "page-stream").locator("td").allTextContents())
        .contains("openai.1", "page-stream", "streaming", "gpt-4");
    assertThat(page.locator("#status").getAttribute("data-state")).isEqualTo("live");
    assertThat(Integer.parseInt(page.locator("#sum-active").textContent().replace(",", "")))
        .isPositive();
    assertThat(page.locator("#sum-rx").textContent()).endsWith("B").doesNotContain("\u2013");
    assertThat(page.locator("#sum-rx-open").textContent()).endsWith("in open rows");
    assertThat(page.locator("#banner-disabled").isHidden()).isTrue();
    assertThat(page.locator("#banner-offline").isHidden()).isTrue();
    assertNoProblems();
  }

  /**
   * Starts a long stream for {@code session} over a raw socket, waits until the page shows its row,
   * then resets the connection as a client that vanishes does.
   */
  private void abortedStream(String session) throws IOException {
    byte[] body = DemoProxyTest.chat("gpt-4", true, 2000).getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), demo.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\n"
                  + RequestActivity.DEFAULT_SESSION_HEADER
                  + ": "
                  + session
                  + "\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      assertThat(socket.getInputStream().read()).as("the response has started").isPositive();
      until("the page shows the open row", () -> row("rows", session).count() == 1);
      socket.setSoLinger(true, 0); // the client vanishes: a reset, not an orderly close
    }
  }

  @Test
  void aClientAbortShowsAmongTheRecentlyEndedRowsAsClientAborted() throws Exception {
    page.navigate(url(demo));
    abortedStream("page-abort");

    Locator ended = row("recent", "page-abort");
    until("the aborted row is among the recently ended", () -> ended.count() == 1);
    assertThat(ended.getAttribute("data-reason")).isEqualTo("client_aborted");
    assertThat(ended.locator(".reason").textContent()).isEqualTo("client_aborted");
    assertThat(ended.locator("td").allTextContents()).contains("openai.1", "gpt-4", "streaming");
    until("the open row is gone", () -> row("rows", "page-abort").count() == 0);
    assertNoProblems();
  }

  @Test
  void drawsTheRateChartOfEachBackend() {
    page.navigate(url(demo));
    Locator chart = page.locator(".card[data-backend=\"openai.1\"] svg.chart");
    until(
        "the chart has a few samples",
        () -> chart.count() == 1 && Integer.parseInt(chart.getAttribute("data-samples")) >= 4);

    String points = chart.locator("polyline.rx").getAttribute("points");
    assertThat(points.split(" ")).hasSizeGreaterThanOrEqualTo(4);
    Number width =
        (Number) chart.locator("polyline.rx").evaluate("l => l.getBoundingClientRect().width");
    assertThat(width.doubleValue()).as("the line spans time").isPositive();
    until(
        "the line rises above zero (bytes are moving)",
        () ->
            (Boolean)
                chart
                    .locator("polyline.rx")
                    .evaluate(
                        "l => l.getAttribute('points').split(' ')"
                            + ".some(p => Number(p.split(',')[1]) < 56)"));
    // one card per instance the diagnostics document lists (the described backends, and any
    // other the tracker saw); polled, as a page refresh may land between two of them
    until("a card per backend", () -> page.locator(".card").count() == diagnosticsInstances());
    assertNoProblems();
  }

  @Test
  void sortsAndFiltersTheRowsWithoutConsoleErrorsOrCspViolations() {
    page.navigate(url(demo));
    until("rows show", () -> page.locator("#rows-body tr").count() > 0);

    page.locator("#rows th[data-key=\"session\"] button").click();
    assertThat(page.locator("#rows th[data-key=\"session\"]").getAttribute("aria-sort"))
        .isEqualTo("ascending");
    List<String> sessions = page.locator("#rows-body td.session").allTextContents();
    assertThat(sessions).isSorted();
    page.locator("#rows th[data-key=\"session\"] button").click();
    assertThat(page.locator("#rows th[data-key=\"session\"]").getAttribute("aria-sort"))
        .isEqualTo("descending");

    page.locator("#filter").fill("no-such-session");
    until("the filter hides every row", () -> page.locator("#rows-body tr").count() == 0);
    assertThat(page.locator("#rows-note").textContent()).contains("0 rows match the filter");
    page.locator("#filter").fill("");
    until("the rows are back", () -> page.locator("#rows-body tr").count() > 0);
    until(
        "a few refreshes happened",
        () -> !"connecting".equals(page.locator("#status").getAttribute("data-state")));
    assertNoProblems();

    // The policy is enforced, and this test would see a violation: an inline style is refused.
    page.evaluate("() => document.body.setAttribute('style', 'color: red')");
    until("the violation is reported", () -> !cspViolations().isEmpty());
    problems.clear();
  }

  @Test
  void aRequestWithXForwardedForGets403ForThePageAndItsFiles() throws Exception {
    page.setExtraHTTPHeaders(Map.of("X-Forwarded-For", "203.0.113.9"));
    Response refused = page.navigate(url(demo));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.text()).contains("forbidden").doesNotContain("<script");

    for (String path : List.of(UI, UI + "/app.js", UI + "/app.css")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(demo.localUri().resolve(path))
                  .header("X-Forwarded-For", "203.0.113.9")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(403);
    }
    HttpResponse<String> ok =
        http.send(
            HttpRequest.newBuilder(demo.localUri().resolve(UI)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(v -> assertThat(v).contains("script-src 'self'"));
    problems.clear(); // the refused navigation is reported on the console, as it should be
  }

  @Test
  void showsABannerWhenTrackingIsDisabled() throws Exception {
    DemoProxy off = DemoProxyTest.startDemo(dir, 0, 0, "--disable-activity-tracking");
    closeAfter.add(off);
    page.navigate(url(off));

    page.locator("#banner-disabled").waitFor();
    assertThat(page.locator("#banner-disabled").textContent())
        .contains("Activity tracking is disabled");
    assertThat(page.locator("#status").getAttribute("data-state")).isEqualTo("disabled");
    assertThat(page.locator("#rows-note").textContent()).contains("disabled");
    assertNoProblems();
  }

  @Test
  void showsReconnectingWhileTheProxyIsDownAndRecoversWhenItIsBack() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    DemoSetup setup =
        DemoSetup.resolve(List.of("--enable-activity-tracking"), Map.of(), dir)
            .with(port, 0, 0)
            .withoutSweeper();
    DemoProxy first = DemoProxy.start(setup, Map.of());
    closeAfter.add(first);
    page.navigate(url(first));
    Locator status = page.locator("#status");
    until("the page is live", () -> "live".equals(status.getAttribute("data-state")));

    first.close();
    until(
        "the page says it reconnects",
        () -> "reconnecting".equals(status.getAttribute("data-state")));
    assertThat(page.locator("#banner-offline").isVisible()).isTrue();
    assertThat(page.locator("#banner-offline").textContent()).contains("Reconnecting");
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("reconnecting.png")));

    DemoProxy second = DemoProxy.start(setup, Map.of());
    closeAfter.add(second);
    until("the page is live again", () -> "live".equals(status.getAttribute("data-state")));
    assertThat(page.locator("#banner-offline").isHidden()).isTrue();
    assertThat(cspViolations()).isEmpty();
    problems.clear(); // refused connections while the proxy was down are on the console
  }

  @Test
  void drawsTheFirst500Of10000OpenRowsAndSaysSo() throws Exception {
    DemoProxy big = DemoProxyTest.startDemo(dir, 0, 0, "--enable-activity-tracking");
    closeAfter.add(big);
    for (int i = 0; i < 10_000; i++) {
      ActivityHandle h =
          big.tracker()
              .open("openai.1", String.format("bulk-%05d", i), ConnectionType.STREAMING, "gpt-4");
      h.addRx(i);
      closeAfter.add(h);
    }
    page.navigate(url(big));

    Locator table = page.locator("#rows");
    until("all rows are counted", () -> "10000".equals(table.getAttribute("data-total")));
    assertThat(page.locator("#rows-body tr").count()).isEqualTo(500);
    assertThat(page.locator("#rows-note").textContent()).contains("first 500 of 10,000 rows");

    // still responsive: the filter answers while the page keeps refreshing
    page.locator("#filter").fill("bulk-0999");
    until("the filter narrows the rows", () -> "10".equals(table.getAttribute("data-total")));
    assertThat(page.locator("#rows-body tr").count()).isEqualTo(10);
    page.locator("#filter").fill("");
    until("all rows are back", () -> "10000".equals(table.getAttribute("data-total")));
    String before = page.locator("#status").textContent();
    until("the page keeps refreshing", () -> !before.equals(page.locator("#status").textContent()));
    int drawMillis = Integer.parseInt(page.locator("body").getAttribute("data-draw-ms"));
    assertThat(drawMillis).as("milliseconds to draw one refresh of 10,000 rows").isLessThan(1000);
    assertNoProblems();
  }

  @Test
  void theScreenshotForTheReadmeShowsTrafficAndEndedRows() throws Exception {
    stream("readme-stream", 1500);
    page.navigate(url(demo));
    Locator chart = page.locator(".card[data-backend=\"openai.1\"] svg.chart");
    until(
        "the charts have some history",
        () -> chart.count() == 1 && Integer.parseInt(chart.getAttribute("data-samples")) >= 15);
    abortedStream("readme-abort");
    until(
        "the abort is among the ended rows",
        () ->
            row("recent", "readme-abort").count() == 1
                && page.locator("#recent-body tr").count() >= 5);
    page.screenshot(
        new Page.ScreenshotOptions()
            .setPath(Path.of("target", "live-page.png"))
            .setFullPage(false));
    assertThat(Files.size(Path.of("target", "live-page.png"))).isPositive();
    assertNoProblems();
  }

  /**
   * A demo proxy, without traffic, whose tracker reads {@code clock}: rows stall after 30 s of it.
   */
  private DemoProxy demoOnFakeClock(FakeClock clock) throws Exception {
    DemoSetup base =
        DemoSetup.resolve(List.of("--enable-activity-tracking"), Map.of(), dir)
            .with(0, 0, 0)
            .withoutSweeper();
    DemoSetup setup =
        new DemoSetup(
            base.host(),
            base.port(),
            base.diagnosticsPort(),
            base.tls(),
            base.demoTraffic(),
            base.config(),
            base.enablement(),
            base.settings().toBuilder().clock(clock).stallAfter(Duration.ofSeconds(30)).build());
    DemoProxy proxy = DemoProxy.start(setup, Map.of());
    closeAfter.add(proxy);
    return proxy;
  }

  private Locator rowsShown() {
    return page.locator("#rows-body tr");
  }

  @Test
  void highlightsStalledAndOrphanedRowsShowsTheBacklogAndFiltersByState() throws Exception {
    FakeClock clock = new FakeClock();
    DemoProxy proxy = demoOnFakeClock(clock);
    ActivityHandle healthy =
        proxy.tracker().open("openai.1", "health-ok", ConnectionType.STREAMING, "gpt-4");
    healthy.addRx(100);
    healthy.addTx(40);
    closeAfter.add(healthy);
    ActivityHandle quiet =
        proxy.tracker().open("openai.1", "health-stalled", ConnectionType.STREAMING, "gpt-4");
    quiet.addRx(5000);
    quiet.addTx(1000);
    closeAfter.add(quiet);
    RequestActivity leaver = proxy.tracker().beginRequest("health-orphan");
    leaver.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    leaver.addRx(300);
    leaver.addTx(300);
    leaver.fail(EndReason.CLIENT_ABORTED); // its client left; the backend goes on
    leaver.addRx(700);
    closeAfter.add(() -> leaver.end(EndReason.COMPLETED));
    proxy.tracker().getGlobalSnapshot(); // the backends' content so far, seen now
    clock.advance(Duration.ofSeconds(31)); // health-stalled's backend has been quiet since
    healthy.addRx(10);
    leaver.addRx(20);

    page.navigate(url(proxy));

    Locator stalled = row("rows", "health-stalled");
    until(
        "the stalled row is highlighted",
        () -> "row-stalled".equals(stalled.getAttribute("class")));
    assertThat(stalled.locator("td.state").textContent()).isEqualTo("stalled");
    assertThat(stalled.locator("td.state .mark-stalled").isVisible()).isTrue();
    assertThat(stalled.locator("td.state").getAttribute("title"))
        .isEqualTo("no content from the backend for 31.0 s");
    assertThat(stalled.locator("td.backlog").getAttribute("data-value")).isEqualTo("4000");
    assertThat(stalled.locator("td.backlog").textContent()).isEqualTo("3.91 KB");
    Object background = stalled.evaluate("r => getComputedStyle(r).backgroundColor");
    assertThat(background).as("the highlight is drawn").isEqualTo("rgb(255, 244, 214)");

    Locator orphan = row("rows", "health-orphan");
    assertThat(orphan.getAttribute("class")).isEqualTo("row-orphaned");
    assertThat(orphan.locator("td.state").textContent()).isEqualTo("orphaned");
    assertThat(orphan.locator("td.state").getAttribute("title"))
        .isEqualTo("every client left; 720 bytes received since");
    assertThat(orphan.locator("td.backlog").getAttribute("data-value")).isEqualTo("720");

    Locator healthyRow = row("rows", "health-ok");
    assertThat(healthyRow.getAttribute("class")).isNullOrEmpty();
    assertThat(healthyRow.locator("td.state").textContent()).isEmpty();
    assertThat(healthyRow.locator("td.backlog").getAttribute("data-value")).isEqualTo("70");
    assertThat(page.locator("#sum-stalled").textContent()).isEqualTo("1");
    assertThat(page.locator("#sum-orphaned").textContent()).isEqualTo("1");
    assertThat(page.locator("#sum-trouble").getAttribute("data-trouble")).isEqualTo("yes");

    page.locator("#state-filter").selectOption("stalled");
    until("only the stalled row shows", () -> rowsShown().count() == 1 && stalled.count() == 1);
    assertThat(page.locator("#rows-note").textContent())
        .isEqualTo("1 row match the filter (of 3).");
    page.locator("#state-filter").selectOption("orphaned");
    until("only the orphaned row shows", () -> rowsShown().count() == 1 && orphan.count() == 1);
    page.locator("#state-filter").selectOption("all");
    until("every row is back", () -> rowsShown().count() == 3);

    // the clock moves on: health-ok's backend is quiet for 30 s too, health-orphan's sends on
    clock.advance(Duration.ofSeconds(30));
    leaver.addRx(5);
    until(
        "the second stall is highlighted and counted",
        () ->
            "row-stalled".equals(healthyRow.getAttribute("class"))
                && "2".equals(page.locator("#sum-stalled").textContent()));
    page.locator("#state-filter").selectOption("stalled");
    until("both stalled rows show", () -> rowsShown().count() == 2);
    assertThat(page.locator("#rows-body td.session").allTextContents())
        .containsExactlyInAnyOrder("health-ok", "health-stalled");
    assertNoProblems();
  }
}
