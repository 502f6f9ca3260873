package dev.inflight.activity.internal;

import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.EndedConnectionListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What happens after rows end: the ended-row listeners and the recently ended rows.
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>{@link #rowEnded} runs under the row's bin lock in the registry, once per row; it only
 *       queues the row's final values for the listeners (and does nothing at all when there is no
 *       listener).
 *   <li>{@link #deliver} runs after that lock was let go, on the thread that ended the row; it
 *       takes queued rows one at a time, so each is built and given to every listener exactly once,
 *       by whichever thread took it. Threads delivering at the same moment may call listeners
 *       concurrently.
 *   <li>A listener that throws is logged at WARNING once, then at DEBUG until it succeeds again.
 *   <li>The recently ended rows are kept by the stripes, each under its own lock, as the rows end;
 *       {@link #recent} merges them by end time. A row ending while it reads may be missing.
 * </ol>
 */
public final class Endings {
  private static final System.Logger LOG = System.getLogger("dev.inflight.activity");

  private final int recentCapacity;
  private final Stripe[] stripes;
  private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Ended> pending = new ConcurrentLinkedQueue<>();

  Endings(int recentCapacity, List<EndedConnectionListener> listeners, Stripe[] stripes) {
    this.recentCapacity = recentCapacity;
    this.stripes = stripes;
    for (EndedConnectionListener l : listeners) {
      subscribers.add(new Subscriber(l));
    }
  }

  /**
   * Adds a listener.
   *
   * @param listener the listener; added again if already there, and then called twice
   */
  public void add(EndedConnectionListener listener) {
    subscribers.add(new Subscriber(Objects.requireNonNull(listener, "listener")));
  }

  /**
   * Removes a listener (one registration of it).
   *
   * @param listener the listener
   * @return true if it was registered
   */
  public boolean remove(EndedConnectionListener listener) {
    for (Subscriber s : subscribers) {
      if (s.listener == listener) {
        return subscribers.remove(s);
      }
    }
    return false;
  }

  /**
   * The most recently ended rows, newest first.
   *
   * @return an immutable list of at most the ring's capacity; empty when the ring is off
   */
  public List<EndedConnection> recent() {
    if (recentCapacity == 0) {
      return List.of();
    }
    List<Ended> all = new ArrayList<>();
    for (Stripe stripe : stripes) {
      stripe.addRecent(all);
    }
    all.sort((a, b) -> Long.signum(b.endNanos() - a.endNanos())); // stable: ties keep order
    int n = Math.min(recentCapacity, all.size());
    List<EndedConnection> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(all.get(i).toConnection());
    }
    return List.copyOf(out);
  }

  /** Whether ending a row needs its end time: for the ring or for a listener. */
  boolean wantsEndTime() {
    return recentCapacity > 0 || !subscribers.isEmpty();
  }

  /** Queues a row that just ended for the listeners. Called under the row's bin lock. */
  void rowEnded(Ended ended) {
    if (!subscribers.isEmpty()) {
      pending.offer(ended);
    }
  }

  /** Hands every queued row to the listeners. Called outside any lock. */
  void deliver() {
    Ended e;
    while ((e = pending.poll()) != null) {
      EndedConnection ended = e.toConnection();
      for (Subscriber s : subscribers) {
        s.call(ended);
      }
    }
  }

  /** One registered listener and whether its last call failed. */
  private static final class Subscriber {
    final EndedConnectionListener listener;
    final AtomicBoolean failing = new AtomicBoolean();

    Subscriber(EndedConnectionListener listener) {
      this.listener = listener;
    }

    void call(EndedConnection ended) {
      try {
        listener.connectionEnded(ended);
        if (failing.get()) {
          failing.set(false);
        }
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError) {
          throw (VirtualMachineError) e;
        }
        System.Logger.Level level =
            failing.compareAndSet(false, true)
                ? System.Logger.Level.WARNING
                : System.Logger.Level.DEBUG;
        LOG.log(
            level,
            "Ended-connection listener "
                + listener
                + " failed; the tracker goes on. Further failures are not logged until it"
                + " succeeds again.",
            e);
      }
    }
  }
}
