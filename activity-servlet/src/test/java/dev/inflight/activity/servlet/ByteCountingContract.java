package dev.inflight.activity.servlet;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.EndCounts;
import jakarta.servlet.ServletOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bytes counted are the bytes the client received: bodies of every size and shape, through the
 * stream and the writer.
 */
abstract class ByteCountingContract extends ContainerContract {

  @Test
  void smallBodyIsCountedExactly() throws Exception {
    byte[] body = bytes(1234, 1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("application/octet-stream");
              res.getOutputStream().write(body);
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/small", "s-small"), BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(body.length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void tenMegabyteBodyIsCountedExactly() throws Exception {
    int total = 10 * 1024 * 1024;
    byte[] chunk = bytes(64 * 1024, 2);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentLengthLong(total);
              ServletOutputStream out = res.getOutputStream();
              for (int sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk);
              }
            }));

    HttpResponse<InputStream> r =
        CLIENT.send(get("/large", "s-large"), BodyHandlers.ofInputStream());
    long received;
    try (InputStream in = r.body()) {
      received = in.transferTo(OutputStream.nullOutputStream());
    }

    assertThat(received).isEqualTo(total);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(total);
    assertThat(backend().ended().completed()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Output.class)
  void chunkedBodyWithFlushesIsCountedExactly(Output output) throws Exception {
    Random random = new Random(42);
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      chunks.add(ascii(1 + random.nextInt(3000), i));
    }
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain; charset=UTF-8");
              if (output == Output.STREAM) {
                ServletOutputStream out = res.getOutputStream();
                for (byte[] c : chunks) {
                  out.write(c);
                  out.flush();
                }
              } else {
                PrintWriter w = res.getWriter();
                for (byte[] c : chunks) {
                  w.write(new String(c, US_ASCII));
                  w.flush();
                }
              }
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/chunked", "s-chunked"), BodyHandlers.ofByteArray());

    assertThat(r.headers().firstValue("content-length")).isEmpty();
    assertThat(r.body()).isEqualTo(concat(chunks));
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(r.body().length);
  }

  @Test
  void writerCountsEncodedUtf8Bytes() throws Exception {
    String text = "héllo wörld — ✓ 日本語 😀 ";
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain; charset=UTF-8");
              PrintWriter w = res.getWriter();
              for (int i = 0; i < 500; i++) {
                w.print(text);
                w.println(i);
              }
              w.printf("%s=%d%n", "ünïcode", 42);
              w.append('é').append("ß", 0, 1);
              w.write("x😀y".toCharArray());
              // a surrogate pair split across two writes is still one 4-byte character
              w.write(0xD83D);
              w.write(0xDE00);
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/utf8", "s-utf8"), BodyHandlers.ofByteArray());

    String decoded = new String(r.body(), UTF_8);
    assertThat(decoded).startsWith(text + "0").endsWith("éßx😀y😀").doesNotContain("?");
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(r.body().length);
  }

  @Test
  void writerCountsOneByteACharacterInTheDefaultCharset() throws Exception {
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/plain");
              res.setCharacterEncoding("ISO-8859-1");
              res.getWriter().print("café crème brûlée");
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/latin1", "s-latin1"), BodyHandlers.ofByteArray());

    assertThat(new String(r.body(), ISO_8859_1)).isEqualTo("café crème brûlée");
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(r.body().length).isEqualTo(17);
  }
}
