package dev.inflight.activity;

/** Whether a backend connection streams its answer (SSE) or returns it in one piece. */
public enum ConnectionType {
  /** A Server-Sent Events (or otherwise incrementally written) response. */
  STREAMING("streaming"),
  /** A standard, complete JSON response. */
  NON_STREAMING("non_streaming");

  private final String wireName;

  ConnectionType(String wireName) {
    this.wireName = wireName;
  }

  /**
   * The name used in the diagnostics JSON ({@code streaming} or {@code non_streaming}).
   *
   * @return the wire name
   */
  public String wireName() {
    return wireName;
  }

  /**
   * Parses a wire name.
   *
   * @param wireName {@code streaming} or {@code non_streaming}
   * @return the matching type
   * @throws IllegalArgumentException for any other value
   */
  public static ConnectionType fromWireName(String wireName) {
    for (ConnectionType type : values()) {
      if (type.wireName.equals(wireName)) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "connection_type must be 'streaming' or 'non_streaming', got '" + wireName + "'");
  }
}
