package dev.inflight.activity.json;

import java.util.Map;
import java.util.Objects;

/**
 * What an adapter sends back for a diagnostics request: copy the status and headers, set {@code
 * Content-Length} to the body's length, and write the body unless the method was HEAD.
 *
 * @param status the HTTP status
 * @param headers the response headers (content type, caching, ...); unmodifiable
 * @param body the body (JSON in UTF-8, or a file of the live page); owned by the receiver
 */
@SuppressWarnings("ArrayRecordComponent") // handed over once, written once; never compared
public record DiagnosticsResponse(int status, Map<String, String> headers, byte[] body) {

  /**
   * Validates and copies the headers.
   *
   * @param status the HTTP status
   * @param headers the response headers (content type, caching, ...); unmodifiable
   * @param body the body (JSON in UTF-8, or a file of the live page); owned by the receiver
   */
  public DiagnosticsResponse {
    headers = Map.copyOf(headers);
    Objects.requireNonNull(body, "body");
  }
}
