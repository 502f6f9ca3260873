package dev.inflight.activity.json;

/**
 * How session ids appear in the diagnostics documents. Session ids can be sensitive (some clients
 * use user or conversation ids), so a deployment can shorten or hash them.
 */
public enum SessionIdDisplay {
  /** As the seed: the full id. The default. */
  FULL,
  /** The first 8 characters followed by {@code ...}; short ids are shown as they are. */
  TRUNCATED,
  /** {@code sha256:} and the first 16 hex digits of the id's SHA-256: stable, not reversible. */
  HASHED
}
