package dev.inflight.activity.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.RawHttp;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.testing.Await;
import jakarta.servlet.ServletOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TX is exact: for every way of writing (stream methods, the writer in any charset, any character),
 * the cumulative TX equals the body bytes a raw client received, and the filter does not change
 * those bytes: each scenario also runs on a path without the filter and the bodies are compared.
 * Bytes the container discards (reset buffers, error pages, a {@code HEAD} body, bytes past the
 * declared {@code Content-Length}) are not counted.
 */
abstract class ExactTxContract extends ContainerContract {

  /** Text every container's writer encodes alike: accents, CJK, symbols, a control char. */
  static final String TEXT = "héllo wörld — ✓ 日本語 ü€\t";

  /** Adds what containers' writers encode differently: emoji, lone surrogates. */
  static final String TRICKY = TEXT + " 😀 \uD800x\uDC00 \uDBFF";

  /**
   * Writes {@code text} through every method of the writer; {@code println} only if asked, as
   * containers end its lines differently (Undertow's own writer with CRLF, Jetty's and Tomcat's
   * with the JVM's line separator, which the filter's writer sends on every container).
   */
  static void writeEveryWay(PrintWriter w, String text, boolean println) {
    for (int i = 0; i < 50; i++) {
      w.print(text);
      w.print(i);
      if (println) {
        w.println();
        w.println(i);
        w.println(true);
        w.println(List.of("list"));
        w.println(text.toCharArray());
      }
    }
    w.printf("%s=%d%n", "ünïcode", 42);
    w.format(Locale.ROOT, "%.2f|", 3.14159);
    w.append('é').append("ßxy", 0, 1).append("日本");
    w.write(text.toCharArray());
    w.write(("ab" + text + "cd").toCharArray(), 2, text.length());
    w.write("0123456789", 2, 5);
    w.write(text, 1, text.length() - 1);
    for (int i = 0; i < text.length(); i++) {
      w.write(text.charAt(i)); // surrogate pairs split across two writes
    }
    w.print(new char[] {'o', 'k'});
    w.print(7L);
    w.print(2.5);
    w.print((Object) null);
    w.print(false);
    w.write("tail");
  }

  /**
   * The bytes the filter's writer sends: {@code writeEveryWay} through the JDK's encoder for the
   * charset, which replaces what it cannot encode (a lone surrogate, a character the charset lacks)
   * with the charset's replacement, once per character.
   */
  static byte[] documented(String text, String charset, boolean println) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintWriter w = new PrintWriter(new OutputStreamWriter(bytes, Charset.forName(charset)))) {
      writeEveryWay(w, text, println);
    }
    return bytes.toByteArray();
  }

  /**
   * Runs {@code handler} untracked ({@code /raw}) and tracked ({@code /tracked}), asserts that both
   * bodies are equal, and returns the tracked response once its row ended.
   */
  RawHttp.Response sendBoth(Handler handler) throws Exception {
    deploy(
        List.of(mount(trackingFilter(), "/tracked/*")),
        List.of(
            new ServletMount(servlet(handler), "/tracked/*"),
            new ServletMount(servlet(handler), "/raw/*")));
    RawHttp.Response raw = RawHttp.send(port(), "GET", "/raw/x", Map.of());
    RawHttp.Response tracked =
        RawHttp.send(
            port(), "GET", "/tracked/x", Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "s-exact"));
    awaitNoRows();
    assertThat(tracked.status()).isEqualTo(raw.status());
    assertThat(tracked.body()).as("the body sent without the filter").isEqualTo(raw.body());
    if (contentType(raw).contains("charset=")) {
      assertThat(contentType(tracked)).as("Content-Type").isEqualTo(contentType(raw));
    } else {
      // Jetty's own writer leaves out a charset it assumes (JSON's UTF-8); the filter names it
      assertThat(contentType(tracked)).as("Content-Type").startsWith(contentType(raw));
    }
    return tracked;
  }

  static String contentType(RawHttp.Response r) {
    return r.header("content-type").orElse("").replace(" ", "").toLowerCase(Locale.ROOT);
  }

  /**
   * Whether the container's own writer sends the JDK encoder's bytes for {@link #TRICKY} text in
   * {@code charset} (println aside); a container that differs overrides this, which pins the
   * difference the README documents.
   */
  protected boolean ownWriterEncodesTrickyTextLikeTheJdk(String charset) {
    return true;
  }

  /**
   * The line separator the container's own writer ends {@code println} with; a container that
   * differs from the JVM's overrides this.
   */
  protected String ownWriterLineSeparator() {
    return System.lineSeparator();
  }

  /** Asserts that the cumulative TX is the body the client received. */
  void assertTxIsBody(RawHttp.Response r) {
    assertThat(backend().cumulativeBytesTx())
        .as("cumulative TX == body bytes received")
        .isEqualTo(r.body().length);
  }

  @Test
  void streamWritesOfEveryKindAreCountedExactly() throws Exception {
    byte[] bytes = bytes(300, 21);
    RawHttp.Response r =
        sendBoth(
            (req, res) -> {
              attach(req);
              ServletOutputStream out = res.getOutputStream();
              out.write('A');
              out.write(0x1FF); // only the low byte goes out
              out.write(bytes, 7, 100);
              out.write(bytes);
              out.print("text é");
              out.print('c');
              out.print(42);
              out.print(7L);
              out.print(1.5f);
              out.print(2.25);
              out.print(true);
              out.println();
              out.println("line");
              out.println('d');
              out.println(-3);
              out.println(99L);
              out.println(0.5f);
              out.println(3.75);
              out.println(false);
            });

    assertThat(r.body()).hasSizeGreaterThan(400);
    assertTxIsBody(r);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  /**
   * Once the response is committed, writes count into the request's row directly; they must still
   * follow the request: bytes sent before its attach go to the row it attaches to, bytes after a
   * second attach to the new row, and every one exactly once.
   */
  @Test
  void writesAfterTheCommitFollowTheRequestFromRowToRow() throws Exception {
    byte[] bytes = bytes(100, 5);
    RawHttp.Response r =
        sendBoth(
            (req, res) -> {
              ServletOutputStream out = res.getOutputStream();
              out.write(bytes, 0, 10);
              out.flush(); // committed, not attached yet: kept for the attach
              out.write(bytes, 10, 5);
              out.write('x');
              out.flush();
              attach(req);
              out.write(bytes, 0, 20);
              out.write('y');
              out.flush();
              ServletActivity.of(req).attach("backend-b", MODEL, ConnectionType.STREAMING);
              out.write(bytes, 0, 30);
              out.write('z');
              out.flush();
            });

    assertThat(r.body()).hasSize(68);
    assertThat(backend().cumulativeBytesTx()).as("backend-a").isEqualTo(37);
    assertThat(tracker.getBackendSnapshot("backend-b").orElseThrow().cumulativeBytesTx())
        .as("backend-b")
        .isEqualTo(31);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "text/plain; charset=UTF-8",
        "text/plain",
        "application/json",
        "text/plain; charset=Shift_JIS",
        "text/plain; charset=UTF-16",
        "text/html; charset=windows-1252"
      })
  void writerBytesAreTheContainersOwnAndCountedExactly(String contentType) throws Exception {
    RawHttp.Response r =
        sendBoth(
            (req, res) -> {
              attach(req);
              res.setContentType(contentType);
              writeEveryWay(res.getWriter(), TEXT, false);
            });

    assertThat(r.body().length).isGreaterThan(50 * TEXT.length());
    assertTxIsBody(r);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "UTF-8",
        "ISO-8859-1",
        "Shift_JIS",
        "UTF-16",
      })
  void writerBytesOfPrintlnEmojiLoneSurrogatesAndUnencodableCharsAreCountedExactly(String charset)
      throws Exception {
    Handler tricky =
        (req, res) -> {
          attach(req);
          res.setContentType("text/plain");
          res.setCharacterEncoding(charset);
          writeEveryWay(res.getWriter(), TRICKY, req.getRequestURI().startsWith("/tracked"));
        };
    deploy(
        List.of(mount(trackingFilter(), "/tracked/*")),
        List.of(
            new ServletMount(servlet(tricky), "/tracked/*"),
            new ServletMount(servlet(tricky), "/raw/*")));

    RawHttp.Response r =
        RawHttp.send(
            port(),
            "GET",
            "/tracked/tricky",
            Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "s-tricky"));

    awaitNoRows();
    assertThat(r.body()).isEqualTo(documented(TRICKY, charset, true));
    assertTxIsBody(r);
    // the container's own writer, without the filter (and without println, whose line ends differ)
    byte[] own = RawHttp.send(port(), "GET", "/raw/tricky", Map.of()).body();
    assertThat(Arrays.equals(own, documented(TRICKY, charset, false)))
        .as("%s's own writer sends the same bytes for %s", container(), charset)
        .isEqualTo(ownWriterEncodesTrickyTextLikeTheJdk(charset));
  }

  @Test
  void printlnEndsLinesWithTheJvmsSeparatorOnEveryContainer() throws Exception {
    Handler lines =
        (req, res) -> {
          attach(req);
          res.setContentType("text/plain; charset=UTF-8");
          res.getWriter().println("a");
          res.getWriter().println();
          res.getWriter().print("b");
        };
    deploy(
        List.of(mount(trackingFilter(), "/tracked/*")),
        List.of(
            new ServletMount(servlet(lines), "/tracked/*"),
            new ServletMount(servlet(lines), "/raw/*")));

    RawHttp.Response r =
        RawHttp.send(
            port(), "GET", "/tracked/x", Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "s-lines"));
    RawHttp.Response own = RawHttp.send(port(), "GET", "/raw/x", Map.of());

    String jvm = System.lineSeparator();
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("a" + jvm + jvm + "b");
    String sep = ownWriterLineSeparator();
    assertThat(new String(own.body(), StandardCharsets.UTF_8)).isEqualTo("a" + sep + sep + "b");
    awaitNoRows();
    assertTxIsBody(r);
  }

  @Test
  void aCharsetSetAfterTheFirstWriteChangesNothing() throws Exception {
    RawHttp.Response r =
        sendBoth(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain; charset=UTF-8");
              PrintWriter w = res.getWriter();
              w.print("before é 日 ");
              res.setCharacterEncoding("ISO-8859-1");
              res.setContentType("text/html; charset=Shift_JIS");
              res.setLocale(Locale.JAPAN);
              w.print("after é 日 😀");
            });

    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("before é 日 after é 日 😀");
    assertThat(r.header("content-type").orElseThrow().toLowerCase(Locale.ROOT))
        .contains("charset=utf-8");
    assertTxIsBody(r);
  }

  @ParameterizedTest
  @EnumSource(Output.class)
  void aDeclaredContentLengthBodyIsCountedExactly(Output output) throws Exception {
    byte[] body = ascii(5000, 22);
    RawHttp.Response r =
        sendBoth(
            (req, res) -> {
              attach(req);
              res.setContentLengthLong(body.length);
              if (output == Output.STREAM) {
                res.getOutputStream().write(body);
              } else {
                res.getWriter().write(new String(body, StandardCharsets.US_ASCII));
              }
            });

    assertThat(r.header("content-length")).hasValue("5000");
    assertThat(r.body()).isEqualTo(body);
    assertTxIsBody(r);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @ParameterizedTest
  @EnumSource(Output.class)
  void bytesDiscardedByResetBufferAreNotCounted(Output output) throws Exception {
    RawHttp.Response r =
        sendBoth(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain; charset=UTF-8");
              if (output == Output.STREAM) {
                res.getOutputStream().write(ascii(700, 23));
                res.resetBuffer();
                res.getOutputStream().write("kept".getBytes(StandardCharsets.UTF_8));
              } else {
                res.getWriter().print("discarded é".repeat(50));
                res.resetBuffer();
                res.getWriter().print("kept é");
              }
            });

    assertThat(new String(r.body(), StandardCharsets.UTF_8)).startsWith("kept");
    assertTxIsBody(r);
  }

  @Test
  void bytesDiscardedByResetAreNotCountedAndTheOtherOutputMayFollow() throws Exception {
    RawHttp.Response r =
        sendBoth(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain; charset=UTF-8");
              res.setHeader("X-Before", "1");
              res.getWriter().print("discarded ".repeat(100));
              res.reset();
              res.setContentType("application/octet-stream");
              res.getOutputStream().write(ascii(333, 24));
            });

    assertThat(r.body()).hasSize(333);
    assertThat(r.header("x-before")).isEmpty();
    assertTxIsBody(r);
  }

  @Test
  void aResetInOneRequestTakesBackOnlyItsOwnShareOfAJoinedRow() throws Exception {
    CountDownLatch firstFlushed = new CountDownLatch(1);
    CountDownLatch secondDone = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              ServletOutputStream out = res.getOutputStream();
              if (req.getPathInfo().endsWith("/first")) {
                out.write(ascii(200, 25));
                out.flush();
                firstFlushed.countDown();
                Await.await(release);
                out.write(ascii(50, 26));
              } else {
                Await.await(firstFlushed);
                out.write(ascii(100, 27));
                res.resetBuffer();
                out.write(ascii(30, 28));
                out.flush();
                secondDone.countDown();
                Await.await(release);
              }
            }));
    Map<String, String> session = Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "shared");
    CompletableFuture<RawHttp.Response> first =
        CompletableFuture.supplyAsync(() -> send("/first", session), workers);
    CompletableFuture<RawHttp.Response> second =
        CompletableFuture.supplyAsync(() -> send("/second", session), workers);
    Await.await(secondDone);

    Await.until(
        "the joined row holds both requests' sent bytes", () -> rowTx("shared") == 200 + 30);
    assertThat(row("shared").orElseThrow().requests()).isEqualTo(2);
    release.countDown();

    RawHttp.Response a = first.get(10, TimeUnit.SECONDS);
    RawHttp.Response b = second.get(10, TimeUnit.SECONDS);
    assertThat(a.body()).hasSize(250);
    assertThat(b.body()).hasSize(30);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(a.body().length + b.body().length);
  }

  RawHttp.Response send(String path, Map<String, String> headers) {
    try {
      return RawHttp.send(port(), "GET", path, headers);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** How a scenario goes past the declared {@code Content-Length}. */
  enum PastLength {
    /** One write longer than the declared length. */
    ONE_LONG_WRITE,
    /** The declared length written, then one more write. */
    WRITE_AFTER_THE_END,
    /** The writer, which never throws, printing past the length. */
    WRITER
  }

  @ParameterizedTest
  @EnumSource(PastLength.class)
  void aWritePastTheContentLengthEndsErroredAndCountsOnlyWhatWasSent(PastLength how)
      throws Exception {
    byte[] body = ascii(64, 29);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentLength(40);
              switch (how) {
                case ONE_LONG_WRITE:
                  res.getOutputStream().write(body);
                  break;
                case WRITE_AFTER_THE_END:
                  res.getOutputStream().write(body, 0, 40);
                  res.getOutputStream().write(body, 40, 24);
                  break;
                default:
                  res.getWriter().print(new String(body, StandardCharsets.US_ASCII));
                  res.getWriter().flush();
                  break;
              }
            }));

    RawHttp.Response r =
        RawHttp.send(
            port(), "GET", "/past", Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "s-past"));

    awaitNoRows();
    // either the declared bytes went out, or (nothing committed yet) the container's error page
    long received = r.status() == 200 ? r.body().length : 0;
    assertThat(received).isLessThanOrEqualTo(40);
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void theBodyOfAHeadRequestIsNotCounted() throws Exception {
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain; charset=UTF-8");
              res.getOutputStream().write(ascii(1000, 30));
            }));

    RawHttp.Response r =
        RawHttp.send(
            port(), "HEAD", "/head", Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "s-head"));

    assertThat(r.status()).isEqualTo(200);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isZero();
  }

  /** How the container comes to replace the application's buffered body. */
  enum Replaced {
    SEND_ERROR,
    SEND_REDIRECT,
    EXCEPTION
  }

  @ParameterizedTest
  @EnumSource(Replaced.class)
  void aBufferedBodyTheContainerReplacesIsNotCounted(Replaced how) throws Exception {
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.getOutputStream().write(ascii(500, 31));
              switch (how) {
                case SEND_ERROR:
                  res.sendError(503);
                  break;
                case SEND_REDIRECT:
                  res.sendRedirect("/elsewhere");
                  break;
                default:
                  throw new IllegalStateException("backend failed after a partial body");
              }
            }));

    RawHttp.Response r =
        RawHttp.send(
            port(),
            "GET",
            "/replaced",
            Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "s-replaced"));

    assertThat(r.status())
        .isEqualTo(how == Replaced.SEND_ERROR ? 503 : how == Replaced.SEND_REDIRECT ? 302 : 500);
    awaitNoRows();
    // what arrived is the container's page, not the application's bytes: none of the 500 counted
    assertThat(backend().cumulativeBytesTx()).isZero();
    assertThat(backend().ended())
        .isEqualTo(
            how == Replaced.EXCEPTION ? new EndCounts(0, 0, 1, 0) : new EndCounts(1, 0, 0, 0));
  }
}
