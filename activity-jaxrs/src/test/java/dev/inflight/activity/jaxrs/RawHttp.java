package dev.inflight.activity.jaxrs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A bare HTTP/1.1 exchange over a socket, for headers the JDK client will not send. */
final class RawHttp {
  final int status;
  final Map<String, String> headers;
  final String body;

  private RawHttp(int status, Map<String, String> headers, String body) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  static RawHttp send(int port, String method, String path, String... headerLines)
      throws IOException {
    return send(InetAddress.getLoopbackAddress(), port, method, path, headerLines);
  }

  /** Sends the request to {@code address}, the connection coming from the matching interface. */
  static RawHttp send(
      InetAddress address, int port, String method, String path, String... headerLines)
      throws IOException {
    try (Socket socket = new Socket(address, port)) {
      socket.setSoTimeout(10_000);
      StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      boolean host = false;
      for (String h : headerLines) {
        request.append(h).append("\r\n");
        host |= h.toLowerCase(Locale.ROOT).startsWith("host:");
      }
      if (!host) {
        request.append("Host: ").append(address.getHostAddress()).append(':').append(port);
        request.append("\r\n");
      }
      request.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = response.indexOf("\r\n\r\n");
      String[] lines = response.substring(0, split).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
      return new RawHttp(
          Integer.parseInt(lines[0].split(" ")[1]), headers, response.substring(split + 4));
    }
  }
}
