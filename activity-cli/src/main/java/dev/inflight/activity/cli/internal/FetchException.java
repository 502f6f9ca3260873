package dev.inflight.activity.cli.internal;

/** The diagnostics document could not be read; the message is one line meant for the user. */
final class FetchException extends Exception {

  private static final long serialVersionUID = 1L;

  FetchException(String message) {
    super(message, null, false, false);
  }
}
