package dev.inflight.activity.servlet.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP/1.1 client on a bare socket, for asserting exactly which body bytes reached the client:
 * it sends one request with {@code Connection: close}, reads until the server closes (or a read
 * timeout), and decodes a chunked body leniently, keeping whatever complete data arrived. Unlike a
 * full client it never rejects a malformed or truncated response.
 *
 * <pre>{@code
 * RawHttp.Response r = RawHttp.send(port, "GET", "/body", Map.of("X-Session-Id", "s-1"));
 * assertThat(tracker.cumulativeBytesTx()).isEqualTo(r.body().length);
 * }</pre>
 */
public final class RawHttp {

  private static final int READ_TIMEOUT_MILLIS = 10_000;

  private RawHttp() {}

  /**
   * What the client received.
   *
   * @param status the status code, or -1 if no status line arrived
   * @param headers the header lines as received, names lower-cased ({@code name: value})
   * @param body the body bytes received (chunked framing removed)
   */
  @SuppressWarnings("ArrayRecordComponent") // the raw bytes, compared by content in tests
  public record Response(int status, List<String> headers, byte[] body) {

    /**
     * The first value of a header.
     *
     * @param name the header name, any case
     * @return its value, if present
     */
    public Optional<String> header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      return headers.stream()
          .filter(h -> h.startsWith(prefix))
          .map(h -> h.substring(prefix.length()).trim())
          .findFirst();
    }
  }

  /**
   * Sends one request without a body and reads the response.
   *
   * @param port the server's port on 127.0.0.1
   * @param method the method, e.g. {@code GET}
   * @param path the path and query
   * @param headers extra request headers
   * @return what was received
   * @throws IOException if the connection cannot be made
   */
  public static Response send(int port, String method, String path, Map<String, String> headers)
      throws IOException {
    byte[] raw;
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      StringBuilder request = new StringBuilder();
      request.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
      request.append("Host: 127.0.0.1:").append(port).append("\r\n");
      request.append("Connection: close\r\n");
      headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      raw = readAll(socket.getInputStream());
    }
    return parse(raw, "HEAD".equals(method));
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketException e) {
      // a reset after the response (e.g. an aborted one): what arrived is the answer
    }
    return all.toByteArray();
  }

  static Response parse(byte[] raw, boolean head) {
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
    if (end < 0) {
      return new Response(-1, List.of(), new byte[0]);
    }
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] status = lines[0].split(" ", 3);
    List<String> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(
          colon < 0
              ? lines[i]
              : lines[i].substring(0, colon).toLowerCase(Locale.ROOT) + lines[i].substring(colon));
    }
    Response partial = new Response(Integer.parseInt(status[1]), headers, new byte[0]);
    byte[] rest = Arrays.copyOfRange(raw, end + 4, raw.length);
    if (head) {
      return partial;
    }
    boolean chunked =
        partial.header("transfer-encoding").map(v -> v.equalsIgnoreCase("chunked")).orElse(false);
    if (chunked) {
      return new Response(partial.status(), headers, dechunk(rest));
    }
    // a client reads no further than the declared length
    long length = partial.header("content-length").map(Long::parseLong).orElse((long) rest.length);
    return new Response(
        partial.status(), headers, Arrays.copyOf(rest, (int) Math.min(length, rest.length)));
  }

  /** Removes chunked framing, keeping the data of every chunk that arrived, complete or not. */
  private static byte[] dechunk(byte[] data) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int pos = 0;
    byte[] crlf = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
    while (pos < data.length) {
      int eol = indexOf(data, crlf, pos);
      if (eol < 0) {
        break;
      }
      String size = new String(data, pos, eol - pos, StandardCharsets.ISO_8859_1).trim();
      int semicolon = size.indexOf(';');
      int n = Integer.parseInt(semicolon < 0 ? size : size.substring(0, semicolon), 16);
      if (n == 0) {
        break;
      }
      int start = eol + 2;
      int available = Math.min(n, data.length - start);
      body.write(data, start, available);
      pos = start + n + 2;
    }
    return body.toByteArray();
  }

  private static int indexOf(byte[] data, byte[] target, int from) {
    outer:
    for (int i = from; i <= data.length - target.length; i++) {
      for (int j = 0; j < target.length; j++) {
        if (data[i + j] != target[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
