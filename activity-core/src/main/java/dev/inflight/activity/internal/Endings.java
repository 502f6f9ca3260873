package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityClock;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.EndedConnectionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * What happens after rows end: the ended-row listeners and the ring of recently ended rows.
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>{@link #rowEnded} runs inside the registry's per-row {@code compute}, once per row; it only
 *       queues the row's final values (and does nothing at all when there is no listener and no
 *       ring).
 *   <li>{@link #deliver} runs after that {@code compute} returned, on the thread that ended the
 *       row; it takes queued rows one at a time, so each is built, kept in the ring and given to
 *       every listener exactly once, by whichever thread took it. Threads delivering at the same
 *       moment may call listeners concurrently.
 *   <li>A listener that throws is logged at WARNING once, then at DEBUG until it succeeds again.
 *   <li>The ring never blocks: a writer claims a sequence number and stores into its slot; readers
 *       skip slots that are not written yet or already reused, so a list is at worst missing rows
 *       that ended while it was read.
 * </ol>
 */
public final class Endings {
  private static final System.Logger LOG = System.getLogger("dev.inflight.activity");

  private final ActivityClock clock;
  private final @Nullable Ring ring;
  private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

  Endings(ActivityClock clock, int recentCapacity, List<EndedConnectionListener> listeners) {
    this.clock = clock;
    this.ring = recentCapacity > 0 ? new Ring(recentCapacity) : null;
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
   * @return an immutable list; empty when the ring is off
   */
  public List<EndedConnection> recent() {
    Ring r = ring;
    return r == null ? List.of() : r.newestFirst();
  }

  /** Queues a row that just ended. Called inside the row's compute: no clock, no listener. */
  void rowEnded(Row row, EndReason reason, long rx, long tx, int requests) {
    if (ring != null || !subscribers.isEmpty()) {
      pending.offer(new Pending(row, reason, rx, tx, requests));
    }
  }

  /** Builds, keeps and hands out every queued row. Called after compute, outside any lock. */
  void deliver() {
    Pending p;
    while ((p = pending.poll()) != null) {
      EndedConnection ended = build(p);
      if (ring != null) {
        ring.add(ended);
      }
      for (Subscriber s : subscribers) {
        s.call(ended);
      }
    }
  }

  private EndedConnection build(Pending p) {
    Row row = p.row;
    long now;
    try {
      now = clock.nanoTime();
    } catch (RuntimeException e) {
      now = row.lastProgressNanos; // a failing clock must not lose the row
    }
    return new EndedConnection(
        row.backend.name,
        row.sessionId,
        row.type,
        row.model,
        row.startedAt(),
        Duration.ofNanos(Math.max(0, now - row.startedNanos)),
        row.firstByte(),
        p.rx,
        p.tx,
        Math.max(1, p.requests),
        p.reason);
  }

  /** A row's final values, taken inside its compute. */
  private static final class Pending {
    final Row row;
    final EndReason reason;
    final long rx;
    final long tx;
    final int requests;

    Pending(Row row, EndReason reason, long rx, long tx, int requests) {
      this.row = row;
      this.reason = reason;
      this.rx = rx;
      this.tx = tx;
      this.requests = requests;
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

  /** A fixed number of the most recently ended rows. */
  private static final class Ring {
    private final int capacity;
    private final AtomicReferenceArray<@Nullable Slot> slots;
    private final AtomicLong next = new AtomicLong();

    Ring(int capacity) {
      this.capacity = capacity;
      this.slots = new AtomicReferenceArray<>(capacity);
    }

    void add(EndedConnection ended) {
      long seq = next.getAndIncrement();
      slots.set((int) (seq % capacity), new Slot(seq, ended));
    }

    List<EndedConnection> newestFirst() {
      long end = next.get();
      long first = Math.max(0, end - capacity);
      List<EndedConnection> out = new ArrayList<>((int) (end - first));
      for (long seq = end - 1; seq >= first; seq--) {
        Slot s = slots.get((int) (seq % capacity));
        if (s != null && s.seq == seq) {
          out.add(s.ended);
        }
      }
      return List.copyOf(out);
    }
  }

  private static final class Slot {
    final long seq;
    final EndedConnection ended;

    Slot(long seq, EndedConnection ended) {
      this.seq = seq;
      this.ended = ended;
    }
  }
}
