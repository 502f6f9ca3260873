package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ConnectionType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The alternative a user could write in ten minutes, and the design the seed describes: one lock
 * around a {@link HashMap} keyed by (backend, session) whose values hold plain {@code long}
 * counters; every byte update takes the lock and looks the row up; a snapshot copies the rows'
 * values under the same lock.
 *
 * <p>Written here from the seed's description ("O(1) counter updates using threading.Lock",
 * "shallow copies for snapshots"), only to be measured side by side with the real tracker. Like the
 * seed it keeps one entry per key, so a second open of the same key simply replaces it.
 */
final class LockedMapTracker {

  /** A row's key. */
  record Key(String backend, String sessionId) {}

  /** A copied row, as a snapshot returns it. */
  record RowView(
      String backend,
      String sessionId,
      ConnectionType type,
      @Nullable String model,
      long startedNanos,
      long bytesRx,
      long bytesTx) {}

  private static final class Conn {
    final ConnectionType type;
    final @Nullable String model;
    final long startedNanos;
    long rx;
    long tx;

    Conn(ConnectionType type, @Nullable String model, long startedNanos) {
      this.type = type;
      this.model = model;
      this.startedNanos = startedNanos;
    }
  }

  private final Object lock = new Object();
  private final Map<Key, Conn> connections = new HashMap<>();

  Key open(String backend, String sessionId, ConnectionType type, @Nullable String model) {
    Key key = new Key(backend, sessionId);
    Conn conn = new Conn(type, model, System.nanoTime());
    synchronized (lock) {
      connections.put(key, conn);
    }
    return key;
  }

  void addRx(Key key, long bytes) {
    synchronized (lock) {
      Conn c = connections.get(key);
      if (c != null) {
        c.rx += bytes;
      }
    }
  }

  void addTx(Key key, long bytes) {
    synchronized (lock) {
      Conn c = connections.get(key);
      if (c != null) {
        c.tx += bytes;
      }
    }
  }

  void close(Key key) {
    synchronized (lock) {
      connections.remove(key);
    }
  }

  List<RowView> snapshot() {
    synchronized (lock) {
      List<RowView> rows = new ArrayList<>(connections.size());
      for (Map.Entry<Key, Conn> e : connections.entrySet()) {
        Conn c = e.getValue();
        rows.add(
            new RowView(
                e.getKey().backend(),
                e.getKey().sessionId(),
                c.type,
                c.model,
                c.startedNanos,
                c.rx,
                c.tx));
      }
      return rows;
    }
  }

  int size() {
    synchronized (lock) {
      return connections.size();
    }
  }
}
