package dev.inflight.examples;

/** A problem with the demo's arguments, environment or config: one line for the user. */
final class DemoException extends Exception {

  private static final long serialVersionUID = 1L;

  DemoException(String message) {
    super(message, null, false, false);
  }
}
