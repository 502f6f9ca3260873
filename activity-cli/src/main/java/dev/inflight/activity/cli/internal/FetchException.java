package dev.inflight.activity.cli.internal;

/**
 * The diagnostics document could not be read. The message is one line meant for the user and names
 * the endpoint; the reason says why in fewer words, for views that name the proxy themselves.
 */
final class FetchException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String reason;

  FetchException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /**
   * Why the document could not be read, without the endpoint: {@code connection refused (is the
   * proxy running?)}.
   */
  String reason() {
    return reason;
  }
}
