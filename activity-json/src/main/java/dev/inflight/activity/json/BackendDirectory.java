package dev.inflight.activity.json;

import java.util.List;

/**
 * How the host proxy describes its backend instances to the diagnostics endpoint. It is asked on
 * every diagnostics request, so it may return live values (rate limiting, health).
 *
 * <p>Backends the tracker has seen but the directory does not list still appear, with what the
 * tracker knows: connector type {@code unknown}, functional, not rate limited, and the models seen
 * on their active rows.
 */
@FunctionalInterface
public interface BackendDirectory {

  /**
   * The backends to show, in display order.
   *
   * @return the descriptions; never null
   */
  List<BackendDescription> backends();

  /**
   * A directory that describes nothing: only what the tracker saw is shown.
   *
   * @return the empty directory
   */
  static BackendDirectory none() {
    return List::of;
  }

  /**
   * A fixed list of backends.
   *
   * @param backends the descriptions
   * @return a directory returning a copy of them
   */
  static BackendDirectory of(List<BackendDescription> backends) {
    List<BackendDescription> copy = List.copyOf(backends);
    return () -> copy;
  }
}
