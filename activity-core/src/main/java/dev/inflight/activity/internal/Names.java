package dev.inflight.activity.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keeps names that come from requests (session ids, models, backend names) safe to store and to
 * show: bounded length, no control or bidi-override characters. Clean names are returned as they
 * are, without allocating.
 */
public final class Names {

  /** Longest backend or model name kept, in chars. */
  public static final int MAX_NAME = 128;

  /** Longest session id kept, in chars. */
  public static final int MAX_SESSION_ID = 256;

  private static final char REPLACEMENT = '\uFFFD';
  private static final String ELLIPSIS = "\u2026";

  private Names() {}

  /**
   * Returns {@code s} if it is clean and short enough, else a copy with unsafe characters replaced
   * by U+FFFD and cut to {@code max} chars (ending in an ellipsis, never splitting a surrogate
   * pair).
   *
   * @param s the name
   * @param max the most chars kept
   * @return a safe name
   */
  public static String clean(String s, int max) {
    if (s.length() <= max && isClean(s)) {
      return s;
    }
    boolean cut = s.length() > max;
    int limit = cut ? max - 1 : s.length();
    if (cut && limit > 0 && Character.isHighSurrogate(s.charAt(limit - 1))) {
      limit--; // never keep half of a pair that the cut splits
    }
    StringBuilder b = new StringBuilder(limit + 1);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (isPairAt(s, i) && i + 1 < limit) {
        b.append(c).append(s.charAt(++i));
      } else {
        b.append(isUnsafe(c) || Character.isSurrogate(c) ? REPLACEMENT : c);
      }
    }
    if (cut) {
      b.append(ELLIPSIS);
    }
    return b.toString();
  }

  /**
   * Requires a non-blank name and cleans it.
   *
   * @param s the name
   * @param what what it names, for the error message
   * @param max the most chars kept
   * @return the cleaned name
   * @throws IllegalArgumentException if {@code s} is null or blank
   */
  public static String require(String s, String what, int max) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(what + " must not be null or blank, got '" + s + "'");
    }
    return clean(s, max);
  }

  /**
   * A new random session id for requests that did not name one.
   *
   * @return e.g. {@code gen-3f9c0a1b2d4e5f60}
   */
  public static String generateSessionId() {
    return sessionIdOf(ThreadLocalRandom.current().nextLong());
  }

  /** {@code gen-} and the sixteen hex digits of {@code r}, leading zeros kept. */
  static String sessionIdOf(long r) {
    // No string concatenation: it is linked through a method handle, which the compiler did not
    // inline at the depth of a container's request path (a slow call per request in the profile).
    // Latin-1 bytes, the compact string's own form: one array besides the string's, no table read.
    byte[] id = {'g', 'e', 'n', '-', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = id.length - 1; i >= 4; i--, r >>>= 4) {
      int d = (int) (r & 0xF);
      id[i] = (byte) (d < 10 ? '0' + d : 'a' - 10 + d);
    }
    return new String(id, StandardCharsets.ISO_8859_1);
  }

  private static boolean isClean(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= ' ' && c < '\u007F') {
        continue; // printable ASCII, nearly every char of a session id or model: one comparison
      }
      if (isPairAt(s, i)) {
        i++;
      } else if (isUnsafe(c) || Character.isSurrogate(c)) {
        return false; // lone surrogates cannot be encoded as UTF-8
      }
    }
    return true;
  }

  private static boolean isPairAt(String s, int i) {
    return Character.isHighSurrogate(s.charAt(i))
        && i + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(i + 1));
  }

  private static boolean isUnsafe(char c) {
    return Character.isISOControl(c)
        || (c >= '\u202A' && c <= '\u202E') // bidi embeddings and overrides
        || (c >= '\u2066' && c <= '\u2069') // bidi isolates
        || c == '\u2028'
        || c == '\u2029';
  }
}
