package dev.inflight.activity.json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * How session ids appear wherever rows leave the process: the diagnostics documents, the live page,
 * the Actuator endpoint. Session ids can identify users and conversations (some clients send user
 * or conversation ids), so a deployment can shorten, hash or hide them. Every door applies the same
 * {@link #show} through its {@link DiagnosticsPolicy}.
 */
public enum SessionIdDisplay {
  /** As the seed: the full id. The default of the loopback-only diagnostics endpoints. */
  FULL,
  /** The first 8 characters followed by {@code ...}; short ids are shown as they are. */
  TRUNCATED,
  /** {@code sha256:} and the first 16 hex digits of the id's SHA-256: stable, not reversible. */
  HASHED,
  /**
   * {@value #HIDDEN_VALUE} for every id, as Spring Boot shows the values it hides: rows stay
   * countable, sessions cannot be told apart. The default of the Actuator endpoint.
   */
  HIDDEN;

  /** What {@link #HIDDEN} shows in place of every session id. */
  public static final String HIDDEN_VALUE = "******";

  /**
   * A session id as this display shows it.
   *
   * @param id the session id
   * @return the id, shortened, hashed or hidden
   */
  public String show(String id) {
    switch (this) {
      case FULL:
        return id;
      case TRUNCATED:
        return id.length() <= 8 ? id : id.substring(0, 8) + "...";
      case HASHED:
        return hash(id);
      case HIDDEN:
        return HIDDEN_VALUE;
    }
    throw new AssertionError(this);
  }

  private static String hash(String id) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      StringBuilder b = new StringBuilder("sha256:");
      for (int i = 0; i < 8; i++) {
        b.append(Character.forDigit((digest[i] >> 4) & 0xF, 16));
        b.append(Character.forDigit(digest[i] & 0xF, 16));
      }
      return b.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
