package dev.inflight.activity.json;

/** A diagnostics document that is not JSON or lacks a field the format requires. */
public final class DiagnosticsFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong, naming the field where there is one
   * @param cause the parser's exception, or null
   */
  public DiagnosticsFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates the exception.
   *
   * @param message what is wrong, naming the field where there is one
   */
  public DiagnosticsFormatException(String message) {
    super(message);
  }
}
