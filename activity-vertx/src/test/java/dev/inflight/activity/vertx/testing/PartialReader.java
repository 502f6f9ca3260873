package dev.inflight.activity.vertx.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A client on a bare socket that sends one GET, reads the response until a marker has arrived a
 * number of times (e.g. once per SSE event), then closes the connection: a client that leaves
 * mid-stream.
 */
public final class PartialReader {

  private PartialReader() {}

  /**
   * Sends a GET accepting server-sent events and hangs up once {@code marker} arrived {@code times}
   * times.
   *
   * @param port the server's port on 127.0.0.1
   * @param path the path
   * @param headers extra request headers
   * @param marker an ASCII text each event carries once
   * @param times how many to read before closing
   * @return the raw bytes read (head and body, with any chunk framing)
   * @throws IOException if the connection fails before that
   */
  public static String readThenClose(
      int port, String path, Map<String, String> headers, String marker, int times)
      throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      StringBuilder request = new StringBuilder();
      request.append("GET ").append(path).append(" HTTP/1.1\r\n");
      request.append("Host: 127.0.0.1:").append(port).append("\r\n");
      request.append("Accept: text/event-stream\r\n");
      headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      byte[] buffer = new byte[256];
      while (count(seen, marker) < times) {
        int n = in.read(buffer);
        if (n < 0) {
          throw new IOException("the server closed after " + seen.size() + " bytes: " + seen);
        }
        seen.write(buffer, 0, n);
      }
      return seen.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static int count(ByteArrayOutputStream seen, String marker) {
    String text = seen.toString(StandardCharsets.ISO_8859_1);
    int n = 0;
    for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length())) {
      n++;
    }
    return n;
  }
}
