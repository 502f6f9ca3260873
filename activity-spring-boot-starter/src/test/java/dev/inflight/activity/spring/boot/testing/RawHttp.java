package dev.inflight.activity.spring.boot.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a socket of its own per request ({@code Connection: close}), for
 * tests that send exactly the headers a peer would ({@code Host} included) and read the whole
 * answer, headers and de-chunked body, without a pool between requests.
 *
 * <p>A connection per request on purpose: Reactor Netty 1.3.6 sometimes stops reading a kept-alive
 * connection when the next request arrives before the previous exchange has terminated
 * (reactor-netty issues 4361 and 4347), so a pooling client's next request waits until it times
 * out. It happens with or without inflight's web filters (about 1 request in 170 in a loop of the
 * remote-peer reads over the JDK {@code HttpClient}, the same with none of inflight's filters
 * registered), and every answer, refusals included, is complete with its {@code Content-Length}.
 */
public final class RawHttp {

  private RawHttp() {}

  /**
   * An answer.
   *
   * @param status the status code
   * @param headers the header lines, names lower-cased (the last of repeated ones)
   * @param body the body, de-chunked, as UTF-8
   */
  public record Answer(int status, Map<String, String> headers, String body) {}

  /**
   * Sends a GET and reads the answer to the end.
   *
   * @param uri where to connect and what to ask for
   * @param headers the request headers; {@code Host} defaults to the URI's authority
   * @return the answer
   * @throws IOException on I/O failure (within 30 seconds)
   */
  public static Answer get(URI uri, Map<String, String> headers) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
      socket.setSoTimeout(30_000);
      StringBuilder request = new StringBuilder();
      String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      request.append("GET ").append(target).append(" HTTP/1.1\r\n");
      if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Host"))) {
        request.append("Host: ").append(uri.getRawAuthority()).append("\r\n");
      }
      headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
      request.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return parse(socket.getInputStream().readAllBytes());
    }
  }

  private static Answer parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IOException("no complete header in " + raw.length + " bytes");
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(new java.io.ByteArrayInputStream(body));
    }
    return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      StringBuilder size = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("truncated chunked body");
        }
        size.append((char) c);
      }
      String hex = size.toString().trim();
      int semi = hex.indexOf(';');
      int n = Integer.parseInt(semi < 0 ? hex : hex.substring(0, semi), 16);
      if (n == 0) {
        return out.toByteArray();
      }
      out.write(in.readNBytes(n));
      in.readNBytes(2); // CRLF after the chunk
    }
  }
}
